#!/usr/bin/env python3
"""An independent reader of Custos' SIEM export: RFC 5424 syslog (with structured data),
ArcSight CEF and JSON Lines, parsed by the formats' own rules with Python's standard library.
Prints one JSON list of records: {seq, actor, event, hash, prev, head, ceremony, ...}; a list
(the KCVs of the keys a bundle carries) stays one value, its items comma-joined as written."""
import json
import re
import sys

fmt, path = sys.argv[1], sys.argv[2]
out = []
with open(path, encoding="utf-8") as f:
    lines = [l.rstrip("\n") for l in f if l.strip()]

SYSLOG = re.compile(r'^<(\d{1,3})>1 (\S+) (\S+) (\S+) (\S+) (\S+) (\[(?:[^\]\\"]|"(?:[^"\\]|\\.)*")*\])(?: (.*))?$')
PARAM = re.compile(r'([^\s=\]"]+)="((?:[^"\\]|\\.)*)"')
for line in lines:
    if fmt == "jsonl":
        r = json.loads(line)
        out.append({**r["fields"], **{k: r[k] for k in ("seq", "actor", "event", "hash", "prev", "head", "ceremony", "time")}})
    elif fmt == "syslog":
        m = SYSLOG.match(line)
        if not m:
            raise SystemExit("not an RFC 5424 line: " + line)
        pri, ts, host, app, procid, msgid, sd, msg = m.groups()
        sd_id = sd[1:].split(" ", 1)[0]
        params = {k: re.sub(r'\\(["\\\]])', r"\1", v) for k, v in PARAM.findall(sd)}
        if sd_id != "custos@32473" or app != "custos":
            raise SystemExit("unexpected SD-ID or APP-NAME: " + line)
        out.append({**params, "seq": int(params["seq"]), "pri": int(pri), "timestamp": ts, "msgid": msgid, "msg": msg})
    elif fmt == "cef":
        if not line.startswith("CEF:0|"):
            raise SystemExit("not a CEF line: " + line)
        # Seven header fields separated by unescaped pipes, then the extension.
        parts, cur, i, body = [], "", 4, line
        while len(parts) < 7:
            c = body[i]
            if c == "\\":
                cur += body[i + 1]
                i += 2
                continue
            if c == "|":
                parts.append(cur)
                cur = ""
            else:
                cur += c
            i += 1
        ext = body[i:]
        fields = {}
        for m in re.finditer(r"(\w+)=((?:[^\\=]|\\.)*?)(?=\s\w+=|$)", ext):
            fields[m.group(1)] = re.sub(r"\\(.)", lambda x: {"n": "\n", "r": "\r"}.get(x.group(1), x.group(1)), m.group(2))
        labelled = {fields[k + "Label"]: v for k, v in fields.items() if k + "Label" in fields}
        out.append({"version": parts[0], "vendor": parts[1], "product": parts[2], "event": parts[4], "severity": parts[6], "actor": fields["suser"], "rt": int(fields["rt"]), "seq": int(labelled["seq"]), "ceremony": labelled["ceremony"], "hash": labelled["eventHash"], "prev": labelled["prevHash"], "head": labelled["transcriptHead"], **{k: labelled[k] for k in ("keyId", "kcv", "keyName") if k in labelled}, **{k: fields[k] for k in ("fname", "fileHash", "filePath", "fileType", "act") if k in fields}, "msg": fields.get("msg")})
    else:
        raise SystemExit("unknown format " + fmt)
print(json.dumps(out))
