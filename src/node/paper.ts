/**
 * The printed documents that hold no secret, from the files a person names: the script of a
 * plan, the report of a transcript (verified first, refused otherwise), the auditor's report of
 * any `verify` and an import receipt (verified against the pinned transport key). The CLI
 * (`custos print`) and the app's main process both call these, so both print the same bytes.
 * Share cards are made inside the ceremony that holds the share (src/core/ceremony/shares-steps.ts).
 */
import path from 'node:path';
import { describeSteps } from '../core/ceremony/steps';
import { fromUtf8, toHex, utf8 } from '../core/crypto/bytes';
import type { CryptoProvider } from '../core/crypto/provider';
import { PolicyError } from '../core/errors';
import type { TransportKey } from '../core/documents/transport';
import type { Receipt } from '../core/documents/receipt';
import { renderAuditReport, renderReceipt, renderScript, renderTranscriptReport, transcriptReportInput, type Input } from '../core/paper/reports';
import type { VerifiedRoster } from '../core/roster/roster';
import type { AuditReport } from '../shared/ipc';
import { auditReceipt } from './audit';
import { documentFonts } from './fonts';
import { readChosen } from './medium';
import { checkPlanFile } from './plan-check';

/** The script of the plan in `planFile`, as the wizard and `custos plan script` show it. */
export async function scriptPdf(provider: CryptoProvider, planFile: string, now: Date): Promise<Uint8Array> {
  const c = checkPlanFile(provider, planFile, now);
  const plan = c.plan;
  const steps = describeSteps(plan, c.roster);
  const names: Record<string, string> = Object.fromEntries([...(c.roster?.roster.participants ?? []), ...(plan.kind === 'enroll' ? plan.participants : [])].map((p) => [p.id, p.name]));
  return renderScript(documentFonts(), {
    kind: plan.kind,
    ceremony: plan.ceremony,
    plan: { file: path.basename(planFile), sha256: c.planSha256 },
    operator: plan.operator,
    witnesses: plan.witnesses,
    ...(c.roster && { rosterWords: c.roster.words }),
    steps,
    names,
  });
}

/** The report of a valid, closed ceremony's transcript under the pinned roster. */
export async function transcriptPdf(provider: CryptoProvider, file: string, roster: VerifiedRoster): Promise<Uint8Array> {
  const text = fromUtf8(readChosen(file, 'transcript'), 'transcript');
  return renderTranscriptReport(documentFonts(), transcriptReportInput(provider, text, path.basename(file), roster));
}

/** The inputs of a verification besides the file itself: the roster (its SHA-256 and the words that pinned it). */
export function rosterInput(provider: CryptoProvider, rosterText: string, name: string): Input {
  return { role: 'roster', name, sha256: toHex(provider.sha256(utf8(rosterText))) };
}

/** The auditor's report: every check of the verification and its result, with each input's SHA-256. */
export async function auditPdf(report: AuditReport, inputs: Input[]): Promise<Uint8Array> {
  return renderAuditReport(documentFonts(), { kind: report.kind, file: path.basename(report.file), sha256: report.sha256, checkedAt: report.checkedAt, ok: report.ok, checks: report.checks, facts: report.facts, inputs });
}

/** The import receipt, verified (at `now`) against the transport key pinned by its fingerprint; refused if any check fails. */
export async function receiptPdf(provider: CryptoProvider, file: string, transportFile: string, fingerprint: string, bundleFile: string | undefined, now: Date): Promise<Uint8Array> {
  const checked: { receipt?: Receipt; transport?: TransportKey } = {};
  const report = auditReceipt(provider, file, transportFile, fingerprint, bundleFile, now, checked);
  const failed = report.checks.find((c) => c.status === 'failed');
  if (failed || !checked.receipt || !checked.transport) throw new PolicyError('print.unverified', 'receipt', `is not printed as a receipt: ${failed?.detail ?? 'it was not verified'} (print the auditor's report to record the failure)`);
  const { receipt, transport } = checked;
  return renderReceipt(documentFonts(), { file: path.basename(file), sha256: report.sha256, receipt, transport: { fingerprint: transport.fingerprint, words: transport.words }, checks: report.checks });
}

/** A file a verification read besides the one it verifies, by its SHA-256. */
export function fileInput(provider: CryptoProvider, file: string, role: string): Input {
  return { role, name: path.basename(file), sha256: toHex(provider.sha256(readChosen(file, role))) };
}

/** The inputs of a receipt's verification: the transport key's enrollment file and the bundle, when given. */
export function receiptInputs(provider: CryptoProvider, transportFile: string, bundleFile?: string): Input[] {
  return [fileInput(provider, transportFile, 'transport key'), ...(bundleFile ? [fileInput(provider, bundleFile, 'bundle')] : [])];
}
