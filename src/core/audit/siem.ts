/**
 * The audit trail for a SIEM: every event of a vault's valid, closed ceremonies as one record,
 * in JSON Lines, RFC 5424 syslog (structured data) or ArcSight CEF. Each record carries its
 * ceremony, sequence number, actor, event type, the SHA-256 of its transcript line and of the
 * line before it, and the transcript's head (the hash of its last line), so a SIEM can prove it
 * saw the whole chain: the first record's `prev` is the genesis, each next one's `prev` is the
 * hash before it, and the last hash is the head. Only public facts of an event are carried (a
 * fixed list of fields: key ids, KCVs, set ids, file names and hashes, counts), never a secret.
 */
import type { CryptoProvider } from '../crypto/provider';
import { verifyTranscript, type TranscriptReport } from '../transcript/transcript';
import { checkCeremonyTranscript, type CeremonySummary } from '../ceremony/verify';
import type { VerifiedRoster } from '../roster/roster';

export const AUDIT_FORMATS = ['jsonl', 'syslog', 'cef'] as const;
export type AuditFormat = (typeof AUDIT_FORMATS)[number];

/** Event fields a SIEM may see: identifiers, check values, counts, file names and hashes. */
const PUBLIC_FIELDS = ['keyId', 'kcv', 'setId', 'masterKeyId', 'masterKcv', 'generation', 'threshold', 'count', 'index', 'custodian', 'participant', 'file', 'sha256', 'output', 'state', 'keys'] as const;

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
  fields: Record<string, string | number>;
}

/** The records of one transcript, which must be a valid, closed ceremony under `roster`. */
export function auditRecords(provider: CryptoProvider, text: string, roster: VerifiedRoster): AuditRecord[] {
  const report = verifyTranscript(provider, text, { publicKey: roster.publicKey });
  return recordsOf(report, checkCeremonyTranscript(report, roster));
}

/**
 * The records of a transcript already verified and checked: each line's hash is the `prev` of
 * the line after it, the last one's the head (the chain the verification walked).
 */
export function recordsOf(report: TranscriptReport, s: CeremonySummary): AuditRecord[] {
  return report.events.map((e, i) => {
    const fields: Record<string, string | number> = {};
    for (const k of PUBLIC_FIELDS) {
      const v = e.data[k];
      if (typeof v === 'string' || typeof v === 'number') fields[k] = v;
    }
    const hash = report.events[i + 1]?.prev ?? report.head;
    return { ceremony: report.ceremony, kind: s.kind, name: s.name, rehearsal: s.rehearsal, seq: e.seq, time: e.time, actor: e.actor, event: e.type, hash, prev: e.prev, head: report.head, fields };
  });
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
 * field of the record; the message says it in words.
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
        ...Object.entries(r.fields),
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
 * key id and KCV, a custom number for the sequence.
 */
export function toCef(records: AuditRecord[], opts: { appVersion: string }): string {
  return records
    .map((r) => {
      const keyId = r.fields.keyId ?? r.fields.masterKeyId;
      const kcv = r.fields.kcv ?? r.fields.masterKcv;
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
        ['msg', `${r.actor} ${r.event} in ${r.kind} ceremony "${r.name}"${r.rehearsal ? ' (REHEARSAL)' : ''}`],
      ];
      return `CEF:0|Custos|Custos|${cefHeader(opts.appVersion)}|${cefHeader(r.event)}|${cefHeader(r.event)}|3|${ext.map(([k, v]) => `${k}=${cefValue(v)}`).join(' ')}\n`;
    })
    .join('');
}
