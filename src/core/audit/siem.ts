/**
 * The audit trail for a SIEM: every event of a vault's valid, closed ceremonies as one record,
 * in JSON Lines, RFC 5424 syslog (structured data) or ArcSight CEF. Each record carries its
 * ceremony, sequence number, actor, event type, the SHA-256 of its transcript line and of the
 * line before it, and the transcript's head (the hash of its last line), so a SIEM can prove it
 * saw the whole chain: the first record's `prev` is the genesis, each next one's `prev` is the
 * hash before it, and the last hash is the head. Only public facts of an event are carried (a
 * fixed list of fields: key ids, names and KCVs, set ids, file names, hashes and where they went,
 * how a share was brought or whether its card was printed, who approved, counts), never a
 * secret: a transcript records none, and the list keeps out what a SIEM has no use for.
 */
import type { TranscriptReport } from '../transcript/transcript';
import type { CeremonySummary } from '../ceremony/verify';
import type { Json } from '../transcript/canonical';

export const AUDIT_FORMATS = ['jsonl', 'syslog', 'cef'] as const;
export type AuditFormat = (typeof AUDIT_FORMATS)[number];

/**
 * Event fields a SIEM may see: identifiers, check values, counts, file names and hashes (`keys`
 * and `files` are counts in some events, lists of key or file facts in others: ids, names, KCVs;
 * names, hashes, the paper medium's location), how a share came to a quorum (`form`, `via`),
 * whether a card was printed, who approved, the import a key server confirmed.
 */
const PUBLIC_FIELDS = [
  ...['keyId', 'kcv', 'setId', 'masterKeyId', 'masterKcv', 'generation', 'threshold', 'count', 'index', 'custodian', 'participant', 'id', 'name', 'state', 'keys'],
  ...['file', 'sha256', 'output', 'files', 'checked', 'form', 'via', 'printed'],
  ...['approvers', 'custodians', 'recipient', 'expires', 'agent', 'bundle', 'receipt', 'exportCeremony', 'servers'],
] as const;

export interface AuditRecord {
  ceremony: string;
  kind: string;
  name: string;
  rehearsal: boolean;
  seq: number;
  time: string;
  actor: string;
  event: string;
  /** SHA-256 of this event's transcript line. */
  hash: string;
  /** SHA-256 of the line before (the genesis for the first). */
  prev: string;
  /** The transcript's head: the hash of its last line. */
  head: string;
  /** The event's public fields as recorded (a list of keys or files whole). */
  fields: Record<string, Json>;
}

/**
 * The records of a transcript already verified and checked: each line's hash is the `prev` of
 * the line after it, the last one's the head (the chain the verification walked).
 */
export function recordsOf(report: TranscriptReport, s: CeremonySummary): AuditRecord[] {
  return report.events.map((e, i) => {
    const fields: Record<string, Json> = {};
    for (const k of PUBLIC_FIELDS) if (e.data[k] !== undefined) fields[k] = e.data[k];
    const hash = report.events[i + 1]?.prev ?? report.head;
    return { ceremony: report.ceremony, kind: s.kind, name: s.name, rehearsal: s.rehearsal, seq: e.seq, time: e.time, actor: e.actor, event: e.type, hash, prev: e.prev, head: report.head, fields };
  });
}

/**
 * The fields as flat values, for the formats whose values are text: an object's members by
 * dotted name (`recipient.server`); a list's items comma-joined in order (`keys.kcv`: every
 * key's KCV), an item without the member giving an empty one so the lists of one field line up
 * (`files.location` beside `files.name`), a comma or backslash inside an item escaped with a
 * backslash. A single value stays as recorded.
 */
export function flatFields(fields: Record<string, Json>): [string, string][] {
  return Object.entries(fields).flatMap(([k, v]) => leaves(v).map(([path, items, list]): [string, string] => [path ? `${k}.${path}` : k, list ? items.map(listItem).join(',') : items[0]!]));
}

const listItem = (v: string) => v.replace(/[\\,]/g, (c) => `\\${c}`);

/** Each member path of a value with its values in order, and whether a list was crossed to reach them. */
function leaves(v: Json): [string, string[], boolean][] {
  if (v === null || typeof v !== 'object') return [['', [v === null ? '' : String(v)], false]];
  if (!Array.isArray(v)) return Object.entries(v).flatMap(([k, x]) => leaves(x).map(([p, items, list]): [string, string[], boolean] => [p ? `${k}.${p}` : k, items, list]));
  if (v.length === 0) return [['', [], true]];
  const each = v.map((x) => new Map(leaves(x).map(([p, items]) => [p, items])));
  const paths = [...new Set(each.flatMap((m) => [...m.keys()]))];
  return paths.map((p) => [p, each.flatMap((m) => m.get(p) ?? ['']), true]);
}

export function toJsonl(records: AuditRecord[]): string {
  return records.map((r) => JSON.stringify(r) + '\n').join('');
}

/** Control characters as visible escapes: a value never breaks its record's line. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const oneLine = (v: string) => v.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
/** RFC 5424 PARAM-VALUE: `"`, `\` and `]` escaped with a backslash, on one line. */
const sdValue = (v: string | number) => oneLine(String(v).replace(/["\\\]]/g, (c) => `\\${c}`));
/** PRINTUSASCII without spaces, at most `max` characters (HOSTNAME, APP-NAME, MSGID). */
const token = (v: string, max: number) => (v.replace(/[^\x21-\x7e]/g, '_').slice(0, max) || '-');

/**
 * RFC 5424 lines: facility 13 (log audit), severity 6 (informational); MSGID the event type;
 * one SD-ELEMENT `custos@32473` (the documentation enterprise number of RFC 5612) with every
 * field of the record, flat (`keys.id`, `keys.name`, `keys.kcv`: see `flatFields`); the
 * message says it in words.
 */
export function toSyslog(records: AuditRecord[], opts: { host: string }): string {
  const pri = 13 * 8 + 6;
  return records
    .map((r) => {
      const params: [string, string | number][] = [
        ['ceremony', r.ceremony],
        ['kind', r.kind],
        ['seq', r.seq],
        ['actor', r.actor],
        ['event', r.event],
        ['hash', r.hash],
        ['prev', r.prev],
        ['head', r.head],
        ['rehearsal', String(r.rehearsal)],
        ...flatFields(r.fields),
      ];
      const sd = `[custos@32473 ${params.map(([k, v]) => `${k}="${sdValue(v)}"`).join(' ')}]`;
      return `<${pri}>1 ${r.time} ${token(opts.host, 255)} custos - ${token(r.event, 32)} ${sd} ${oneLine(`${r.actor} ${r.event} in ${r.kind} ceremony "${r.name}"${r.rehearsal ? ' (REHEARSAL)' : ''}`)}\n`;
    })
    .join('');
}

/** CEF header fields: `\` and `|` escaped. */
const cefHeader = (v: string) => v.replace(/[\\|]/g, (c) => `\\${c}`);
/** CEF extension values: `\`, `=` and line breaks escaped. */
const cefValue = (v: string | number) =>
  String(v)
    .replace(/[\\=]/g, (c) => `\\${c}`)
    .replace(/\r/g, '\\r')
    .replace(/\n/g, '\\n');

/**
 * ArcSight CEF:0 lines: signature id and name the event type, severity 3; `rt` the event time
 * (ms), `suser` the actor, and custom strings for the ceremony, event hash, previous hash, head,
 * ceremony kind, key id (cs6), KCV (flexString1) and key name (flexString2), a custom number for
 * the sequence; `fname`, `fileHash`, `filePath` and `fileType` for the files an event wrote (a
 * paper share's medium and its location); `act` how a share came to a quorum or whether its card
 * was printed. Where an event names several keys or files, these carry their lists as
 * `flatFields` joins them (comma-joined, in the same order).
 */
export function toCef(records: AuditRecord[], opts: { appVersion: string }): string {
  return records
    .map((r) => {
      const flat = new Map(flatFields(r.fields));
      const keyEvent = r.event.startsWith('key.'); // its `id` and `name` are the key's
      const first = (...names: (string | false)[]) => names.map((n) => (n ? flat.get(n) : undefined)).find((v) => v !== undefined);
      const keyId = first('keyId', 'masterKeyId', keyEvent && 'id', 'keys.id', 'servers.keys.id');
      const kcv = first('kcv', 'masterKcv', 'keys.kcv', 'servers.keys.kcv');
      const keyName = first(keyEvent && 'name', 'keys.name', 'servers.keys.name');
      const fname = first('file', 'files.name');
      const fileHash = first('sha256', 'files.sha256');
      const how = [flat.has('form') && `${flat.get('form')!} share`, flat.has('via') && `via ${flat.get('via')!}`, flat.has('printed') && `card printed (${flat.get('printed')!})`].filter((x) => x !== false);
      const some = (k: string, v: string | undefined): (readonly [string, string])[] => (v !== undefined ? [[k, v]] : []);
      const ext: (readonly [string, string | number])[] = [
        ['rt', Date.parse(r.time)],
        ['suser', r.actor],
        ['cs1Label', 'ceremony'],
        ['cs1', r.ceremony],
        ['cn1Label', 'seq'],
        ['cn1', r.seq],
        ['cs2Label', 'eventHash'],
        ['cs2', r.hash],
        ['cs3Label', 'prevHash'],
        ['cs3', r.prev],
        ['cs4Label', 'transcriptHead'],
        ['cs4', r.head],
        ['cs5Label', 'ceremonyKind'],
        ['cs5', r.kind],
        ...(keyId !== undefined ? ([['cs6Label', 'keyId'], ['cs6', keyId]] as const) : []),
        ...(kcv !== undefined ? ([['flexString1Label', 'kcv'], ['flexString1', kcv]] as const) : []),
        ...(keyName !== undefined ? ([['flexString2Label', 'keyName'], ['flexString2', keyName]] as const) : []),
        ...some('fname', fname),
        ...some('fileHash', fileHash),
        ...some('filePath', flat.get('files.location')),
        ...some('fileType', flat.get('files.medium')),
        ...some('act', how.length ? how.join(', ') : undefined),
        ['msg', `${r.actor} ${r.event} in ${r.kind} ceremony "${r.name}"${r.rehearsal ? ' (REHEARSAL)' : ''}`],
      ];
      return `CEF:0|Custos|Custos|${cefHeader(opts.appVersion)}|${cefHeader(r.event)}|${cefHeader(r.event)}|3|${ext.map(([k, v]) => `${k}=${cefValue(v)}`).join(' ')}\n`;
    })
    .join('');
}
