/**
 * `custos audit export VAULT PIN --format jsonl|syslog|cef --out FILE [--since TIME]`: every event
 * of the vault's valid, closed ceremonies, for the USB walk to the SIEM. A file the vault doctor
 * does not count as a closed ceremony is left out and said so. Written to the medium named, never
 * over an existing file.
 */
import { hostname } from 'node:os';
import { InputError } from '../core/errors';
import { AUDIT_FORMATS, recordsOf, toCef, toJsonl, toSyslog, type AuditFormat } from '../core/audit/siem';
import { vaultDir } from './vault';
import { diagnoseVault } from '../core/ceremony/doctor';
import { writeNewFile } from '../node/durable';
import { directoryMedium } from '../node/medium';
import { nativeProvider } from '../node/native-provider';
import { options, type Io } from './io';
import { PIN_OPTIONS, pinFromOptions, pinnedRoster } from './trust';

export const AUDIT_USAGE = 'usage: custos audit export VAULT --roster ROSTER --roster-words "8 words" --format jsonl|syslog|cef --out FILE [--since 2026-01-01T00:00:00Z]';

export function auditCommand(args: string[], json: boolean, io: Io, appVersion: string): void {
  const { positional, opts, all } = options(args, [...PIN_OPTIONS, 'format', 'out', 'since']);
  if (positional[0] !== 'export' || positional.length !== 2 || !opts.has('roster')) throw new InputError('cli.usage', 'audit', AUDIT_USAGE);
  const format = opts.get('format') as AuditFormat | undefined;
  if (!format || !AUDIT_FORMATS.includes(format)) throw new InputError('cli.option', '--format', `must be one of: ${AUDIT_FORMATS.join(', ')}`);
  const out = opts.get('out');
  if (!out) throw new InputError('cli.option', '--out', 'must name the file to write, on the medium that goes to the SIEM');
  const since = opts.get('since');
  if (since !== undefined && (!/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?Z)?$/.test(since) || Number.isNaN(Date.parse(since)))) throw new InputError('cli.option', '--since', 'must be a UTC date or time, as 2026-01-31 or 2026-01-31T12:00:00Z');
  const roster = pinnedRoster(opts.get('roster')!, all, pinFromOptions(opts));
  const d = diagnoseVault(nativeProvider, directoryMedium(vaultDir(positional[1])), roster);
  // The ceremonies as the doctor verified them: each transcript read and checked once.
  const records = d.closed
    .sort()
    .flatMap((name) => {
      const c = d.ceremonies.get(name)!;
      return recordsOf(c.report, c.summary);
    })
    .filter((r) => since === undefined || Date.parse(r.time) >= Date.parse(since));
  const text = format === 'jsonl' ? toJsonl(records) : format === 'syslog' ? toSyslog(records, { host: hostname() }) : toCef(records, { appVersion });
  const sha256 = writeNewFile(out, new TextEncoder().encode(text));
  const left = d.findings.map((f) => f.file).filter((f) => f.endsWith('.jsonl'));
  if (json) io.out(JSON.stringify({ ok: true, format, out, sha256, ceremonies: d.closed.length, events: records.length, leftOut: left }) + '\n');
  else
    io.out(
      `${records.length} events of ${d.closed.length} closed ceremon${d.closed.length === 1 ? 'y' : 'ies'} written to ${out} (${format}), SHA-256 ${sha256}\n` +
        (left.length ? `left out, not closed ceremonies (custos vault doctor says why): ${left.join(', ')}\n` : ''),
    );
}
