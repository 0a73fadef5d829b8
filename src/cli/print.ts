/**
 * `custos print KIND ... --out FILE.pdf`: the documents that hold no secret, as PDF. Each is
 * rendered from what was recorded, with the dates it carries, so printing it again gives the
 * same bytes and an auditor compares SHA-256. Never over an existing file. Share cards are
 * printed inside the ceremony that makes the shares (the plan's paper medium).
 */
import path from 'node:path';
import { InputError } from '../core/errors';
import { parseRosterWords } from '../core/roster/roster';
import { audit, auditReceipt } from '../node/audit';
import { writeNewFile } from '../node/durable';
import { nativeProvider } from '../node/native-provider';
import { auditPdf, fileInput, receiptInputs, receiptPdf, rosterInput, scriptPdf, transcriptPdf } from '../node/paper';
import { systemClock } from '../node/platform';
import { options, read, type Io } from './io';
import { BUNDLE_PIN_OPTIONS, bundlePins, PIN_OPTIONS, pinFromOptions, pinnedRoster } from './trust';

const PIN = '--roster ROSTER --roster-words "8 words"';
export const PRINT_USAGE = `Usage:
  custos print script PLAN --out FILE.pdf
  custos print transcript FILE ${PIN} --out FILE.pdf
  custos print audit transcript|backup|escrow FILE ${PIN} --out FILE.pdf
  custos print audit bundle FILE ${PIN} [--fingerprint HEX [--transport ENROLLMENT]] [--transcript FILE] --out FILE.pdf
  custos print audit receipt RECEIPT --transport ENROLLMENT --fingerprint HEX [--bundle BUNDLE] --out FILE.pdf
  custos print receipt RECEIPT --transport ENROLLMENT --fingerprint HEX [--bundle BUNDLE] --out FILE.pdf

script      The ceremony's script, printed before it and annotated during it: every step with
            role, person, action and what to check, a box and an initials line; an exceptions
            sheet; the signature block.
transcript  A closed ceremony's report (verified first): the events in order, the participants
            with their key words, the head as hex and words, a signature line per witness.
audit       The auditor's report: every check of custos verify and its result (a bundle's with
            the pins it is given, as custos verify bundle takes them), with the SHA-256 of each
            input and the time the checks were made. A failed verification is printed too, and
            the command exits 1.
receipt     A key server's import receipt, after checking its signature against the transport
            key pinned by its fingerprint.

The same input always gives the same bytes (the dates come from what was recorded, and an
auditor's report's from when its checks were made): print again and compare the SHA-256
printed here. Share cards are printed by the ceremony that makes the
shares, onto the plan's paper medium.
`;

export async function printCommand(args: string[], json: boolean, io: Io): Promise<number> {
  // Each document takes the options it uses, no others (an option it would ignore is an error).
  const receipt = ['transport', 'fingerprint', 'bundle'];
  const pinned = ['roster', 'roster-words'];
  const allowed: Record<string, string[]> = { script: [], transcript: PIN_OPTIONS, 'audit receipt': receipt, 'audit bundle': [...pinned, ...BUNDLE_PIN_OPTIONS], audit: pinned, receipt };
  const document = args[0] === 'audit' && (args[1] === 'receipt' || args[1] === 'bundle') ? `audit ${args[1]}` : (args[0] ?? '');
  const { positional, opts, all } = options(args, ['out', ...(allowed[document] ?? [])]);
  const now = systemClock();
  const usage = () => new InputError('cli.usage', 'print', PRINT_USAGE.split('\n\n')[0]!);
  const out = opts.get('out');
  const [kind, ...rest] = positional;
  if (!kind) throw usage();
  if (!out) throw new InputError('cli.option', '--out', 'must name the PDF file to write');
  if (!out.toLowerCase().endsWith('.pdf')) throw new InputError('cli.option', '--out', 'must end in .pdf');
  let pdf: Uint8Array;
  let ok = true;
  if (kind === 'script' && rest.length === 1) pdf = await scriptPdf(nativeProvider, rest[0]!, now);
  else if (kind === 'transcript' && rest.length === 1) pdf = await transcriptPdf(nativeProvider, rest[0]!, pinnedRoster(need(opts, 'roster'), all, pinFromOptions(opts)));
  else if (kind === 'receipt' && rest.length === 1) pdf = await receiptPdf(nativeProvider, rest[0]!, need(opts, 'transport'), need(opts, 'fingerprint'), opts.get('bundle'), now);
  else if (kind === 'audit' && rest.length === 2 && rest[0] === 'receipt') {
    const report = auditReceipt(nativeProvider, rest[1]!, need(opts, 'transport'), need(opts, 'fingerprint'), opts.get('bundle'), now);
    ok = report.ok;
    pdf = await auditPdf(report, receiptInputs(nativeProvider, need(opts, 'transport'), opts.get('bundle')));
  } else if (kind === 'audit' && rest.length === 2 && ['transcript', 'bundle', 'backup', 'escrow'].includes(rest[0]!)) {
    const rosterFile = need(opts, 'roster');
    const words = parseRosterWords(need(opts, 'roster-words'), '--roster-words', 'cli.pin');
    const text = read(rosterFile, 'roster');
    // A bundle's pins as custos verify bundle takes them, checked by the same functions.
    const pins = rest[0] === 'bundle' ? bundlePins(opts) : {};
    const report = audit(nativeProvider, rest[0] as 'transcript' | 'bundle' | 'backup' | 'escrow', rest[1]!, { text, words }, now, pins);
    ok = report.ok;
    pdf = await auditPdf(report, [
      { ...rosterInput(nativeProvider, text, path.basename(rosterFile)), name: `${path.basename(rosterFile)}, pinned by the words ${words.join(' ')}` },
      ...(pins.transport !== undefined ? [fileInput(nativeProvider, pins.transport, 'transport key')] : []),
      ...(pins.transcript !== undefined ? [fileInput(nativeProvider, pins.transcript, 'transcript')] : []),
    ]);
  } else throw usage();
  const sha256 = writeNewFile(out, pdf);
  if (json) io.out(JSON.stringify({ ok, kind: kind === 'audit' ? `audit ${rest[0]}` : kind, out, sha256, bytes: pdf.length }) + '\n');
  else io.out(`${kind === 'audit' ? `audit report (${ok ? 'every check passed' : 'VERIFICATION FAILED'})` : kind} written to ${out}\nSHA-256 ${sha256}\n`);
  if (!ok && !json) io.err('custos: the verification failed; the report says which check\n');
  return ok ? 0 : 1;
}

function need(opts: Map<string, string>, name: string): string {
  const v = opts.get(name);
  if (v === undefined) throw new InputError('cli.option', `--${name}`, 'is needed for this document');
  return v;
}
