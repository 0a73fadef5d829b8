/**
 * What stands in a vault's way, and what to do about it (`custos vault doctor`), and the signed
 * record of moving a file aside (`custos vault quarantine`).
 *
 * Findings, file by file: a transcript cut off mid-write (its plan cannot resume), one
 * interrupted (resume it), aborted, or not a valid ceremony (ignored); a rehearsal in a real
 * vault or a real ceremony in a rehearsal vault, as a transcript that verifies says (every
 * ceremony of the other kind is refused);
 * an inventory file no valid ceremony recorded (the next generation of its master key cannot
 * be written). A finding that blocks says what it blocks.
 *
 * A file is moved aside only with a deviation record signed by an operator and a witness of
 * the roster: the file's name, SHA-256 and size, the reason, the time. The record goes into
 * the quarantine folder first, then the file; the doctor checks every record.
 */
import { z } from 'zod';
import { VerifyError } from '../errors';
import { toHex } from '../crypto/bytes';
import type { CryptoProvider } from '../crypto/provider';
import type { IdentitySecrets } from '../roster/identity';
import type { VerifiedRoster } from '../roster/roster';
import { approve, checkApprovals, documentToText, parseSignedDocument, type SignedDocument } from '../documents/signed';
import type { Medium } from './ports';
import type { SignedEvent, TranscriptReport } from '../transcript/transcript';
import { keyLost } from './shares-steps';
import { checkCeremonyTranscript, type CeremonySummary } from './verify';
import { loadVaultState, VAULT_ROSTER_RE } from './vault';

export type FindingStatus = 'interrupted' | 'aborted' | 'torn' | 'ignored' | 'mixed' | 'orphan' | 'unknown';

export interface Finding {
  file: string;
  status: FindingStatus;
  /** What this file stops, when it stops something. */
  blocks?: string;
  why: string;
  todo: string;
  /** An interrupted rehearsal: it resumes as a rehearsal. */
  rehearsal?: true;
}

export interface Diagnosis {
  /** Valid, closed ceremonies: nothing to do. */
  closed: string[];
  /** Each closed ceremony as verified and checked, by file name (for readers of the whole vault: the SIEM export). */
  ceremonies: Map<string, { report: TranscriptReport; summary: CeremonySummary }>;
  findings: Finding[];
}

const QUARANTINE = (file: string) => `custos vault quarantine VAULT ${file} --roster ROSTER --roster-words "..." --operator ID --witness ID --reason "..."`;

/** Why an interrupted transcript can never be resumed (`keyLost`, the run's rule), in words. */
function lostInWords(events: SignedEvent[]): string | undefined {
  const lost = keyLost(events);
  if (!lost) return undefined;
  return lost.setId === undefined ? 'the key it generated was never split and is gone' : `only ${lost.issued} of the ${lost.count} shares of set ${lost.setId} were written: the master key is gone and those shares are void`;
}

/** Every file of the vault, read as the ceremonies read it, with what stands in the way. */
export function diagnoseVault(provider: CryptoProvider, vault: Medium, roster: VerifiedRoster, opts: { rehearsal?: boolean } = {}): Diagnosis {
  // Which kind of vault this is comes from who asks (or the roster), never from what the files say.
  const rehearsalVault = opts.rehearsal ?? roster.rehearsal;
  const state = loadVaultState(provider, vault, roster);
  const findings: Finding[] = [];
  const closed: string[] = [];
  const ceremonies: Diagnosis['ceremonies'] = new Map();
  for (const i of state.ignored) {
    if (i.code === 'transcript.truncated')
      findings.push({
        file: i.name,
        status: 'torn',
        blocks: 'its own plan: the ceremony cannot be resumed from a transcript whose last event was cut off mid-write',
        why: i.reason,
        todo: `move it aside (${QUARANTINE(i.name)}), then run its plan again under a new transcript name`,
      });
    else findings.push({ file: i.name, status: 'ignored', why: i.reason, todo: `nothing it records counts; move it aside to keep the vault clean (${QUARANTINE(i.name)}), and find out where it came from` });
  }
  const recorded = new Set<string>();
  for (const t of state.transcripts) {
    for (const e of t.report.events) {
      if (e.type === 'inventory.written' && typeof e.data.name === 'string') recorded.add(e.data.name);
      if (e.type === 'restore.files' && Array.isArray(e.data.files)) for (const f of e.data.files) if (f && typeof f === 'object' && !Array.isArray(f) && typeof f.name === 'string') recorded.add(f.name);
    }
    const rehearsal = t.report.events[0]?.data.rehearsal === true;
    if (rehearsal !== rehearsalVault) {
      findings.push({
        file: t.name,
        status: 'mixed',
        blocks: `every ${rehearsal ? 'real ceremony' : 'rehearsal'} in this vault: a vault holds rehearsals or real ceremonies, never both`,
        why: rehearsal ? 'it is a rehearsal, in a vault of real ceremonies' : 'it is a real ceremony, in a vault of rehearsals (if this is the real vault, run the doctor without --rehearsal)',
        todo: `move it aside (${QUARANTINE(t.name)}); ${rehearsal ? 'rehearsals get a vault of their own' : 'it belongs in the real vault'}`,
      });
      continue;
    }
    try {
      ceremonies.set(t.name, { report: t.report, summary: checkCeremonyTranscript(t.report, roster) });
      closed.push(t.name);
    } catch (e) {
      if (!(e instanceof VerifyError)) throw e;
      const lost = e.code === 'transcript.aborted' ? undefined : lostInWords(t.report.events);
      if (e.code === 'transcript.aborted') findings.push({ file: t.name, status: 'aborted', why: e.message, todo: `nothing more happens under it; move it aside (${QUARANTINE(t.name)}), and run its plan again under a new transcript name` });
      else if (lost)
        findings.push({
          file: t.name,
          status: 'aborted',
          why: `${e.message}; ${lost}, so its plan cannot resume it`,
          todo: `nothing more happens under it; move it aside (${QUARANTINE(t.name)}), and run its plan again under a new transcript name`,
        });
      else
        findings.push({
          file: t.name,
          status: 'interrupted',
          why: e.message,
          todo: `run its plan again to resume it (custos ${rehearsal ? 'rehearse' : 'run'} PLAN, or Resume on the app's Home); if it will never be resumed, move it aside (${QUARANTINE(t.name)})`,
          ...(rehearsal && { rehearsal: true as const }),
        });
    }
  }
  for (const name of vault.list()) {
    const inv = /^inventory-([0-9a-f]{32})-(\d{6})\.json$/.exec(name);
    if (inv) {
      if (recorded.has(name)) continue;
      const current = state.inventories.get(inv[1]!);
      const ahead = !current || Number(inv[2]) > current.generation;
      findings.push({
        file: name,
        status: 'orphan',
        ...(ahead && { blocks: `the next inventory generation of master key ${inv[1]!}: its name is taken` }),
        why: 'no valid ceremony of this vault records this inventory file (a run stopped before recording it, or the file was put there)',
        todo: `move it aside (${QUARANTINE(name)})`,
      });
      continue;
    }
    // Transcripts, the restored roster and the rosters an enrollment keeps are read above.
    if (name.endsWith('.jsonl') || name === 'roster.json' || VAULT_ROSTER_RE.test(name) || name === QUARANTINE_DIR) continue;
    findings.push({ file: name, status: 'unknown', why: 'it is not a file Custos keeps in a vault', todo: 'nothing reads it; move it out of the vault' });
  }
  return { closed, ceremonies, findings };
}

/** The folder inside the vault where files are moved aside, each beside its deviation record. */
export const QUARANTINE_DIR = 'quarantine';
export const deviationName = (file: string) => `${file}.deviation.json`;

export const quarantineManifestSchema = z.strictObject({
  kind: z.literal('custos.quarantine'),
  file: z.string().min(1).max(200),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  size: z.int().min(0),
  reason: z.string().min(1).max(500),
  time: z.string().min(1).max(40),
  roster: z.string().regex(/^[0-9a-f]{64}$/),
});
export type QuarantineManifest = z.infer<typeof quarantineManifestSchema>;

/** The deviation record: signed by the operator, then the witness. */
export function quarantineRecord(provider: CryptoProvider, m: Omit<QuarantineManifest, 'kind'>, operator: IdentitySecrets, witness: IdentitySecrets): string {
  const manifest: QuarantineManifest = { kind: 'custos.quarantine', ...m };
  return documentToText({ manifest, approvals: [approve(provider, 'quarantine', manifest, operator), approve(provider, 'quarantine', manifest, witness)] });
}

/** A deviation record, checked: an operator and a distinct witness of the roster signed it; `bytes`, if given, are the file it names. */
export function checkQuarantineRecord(provider: CryptoProvider, text: string, roster: VerifiedRoster, bytes?: Uint8Array): QuarantineManifest & { operator: string; witness: string } {
  const doc: SignedDocument<QuarantineManifest> = parseSignedDocument(text, 'deviation', quarantineManifestSchema, 'a quarantine record');
  if (doc.approvals.length !== 2) throw new VerifyError('quarantine.approvals', 'deviation.approvals', 'must be signed by an operator and a witness');
  const [operator] = checkApprovals(provider, 'quarantine', { manifest: doc.manifest, approvals: [doc.approvals[0]!] }, roster, 'deviation', { count: 1, role: 'operator' });
  const [witness] = checkApprovals(provider, 'quarantine', { manifest: doc.manifest, approvals: [doc.approvals[1]!] }, roster, 'deviation', { count: 1, role: 'witness', exclude: [operator!] });
  if (bytes && toHex(provider.sha256(bytes)) !== doc.manifest.sha256) throw new VerifyError('quarantine.sha256', 'deviation.manifest.sha256', `${doc.manifest.file} is not the file this record moved aside (its SHA-256 differs)`);
  return { ...doc.manifest, operator: operator!, witness: witness! };
}
