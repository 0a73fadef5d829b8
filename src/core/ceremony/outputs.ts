/**
 * The files a ceremony writes on its media, and when they may already be there. A fresh run
 * needs every one absent (Custos never overwrites). A resumed run skips the steps its
 * interrupted run recorded, so a file is in the way unless that run recorded writing it, with
 * the SHA-256 it has now: one it did not record (written just before the run stopped, or put
 * there) would be written again after the quorum and the passphrases, and refused then. One
 * exception: a backup archive published and not yet recorded is adopted if it is this
 * ceremony's own (`ownArchive`).
 */
import { PolicyError, isCustosError } from '../errors';
import { verifyBackup, type BackupLayout } from '../backup/archive';
import { paperOutputs, planOutputs, type Plan } from '../plan/schema';
import type { VerifiedRoster } from '../roster/roster';
import type { SignedEvent, TranscriptReport } from '../transcript/transcript';
import type { CeremonyPorts, Medium } from './ports';
import { paperMedium } from './shares-steps';

/** The files an interrupted run recorded writing, name to SHA-256, on the outputs medium and the paper one. */
function recorded(events: SignedEvent[]): { outputs: Map<string, string>; paper: Map<string, string> } {
  const outputs = new Map<string, string>();
  const paper = new Map<string, string>();
  const files = (v: unknown) => (Array.isArray(v) ? (v as { name?: unknown; sha256?: unknown; medium?: unknown }[]) : []);
  for (const e of events) {
    if (e.type === 'share.issued' || e.type === 'escrow.written')
      for (const f of files(e.data.files)) if (typeof f.name === 'string' && typeof f.sha256 === 'string') (f.medium === 'paper' ? paper : outputs).set(f.name, f.sha256);
    if ((e.type === 'bundle.written' || e.type === 'backup.written') && typeof e.data.file === 'string' && typeof e.data.sha256 === 'string') outputs.set(e.data.file, e.data.sha256);
  }
  return { outputs, paper };
}

const them = (names: string[]) => (names.length === 1 ? 'it' : 'them');

/**
 * An archive found under a backup's output name when its run resumes: it must verify (layout,
 * hash, two approvals under the roster) and be of this very ceremony, to be adopted; anything
 * else is refused (Custos never overwrites).
 */
export function ownArchive(provider: CeremonyPorts['provider'], outputs: Medium, name: string, roster: VerifiedRoster, ceremony: string): BackupLayout {
  const f = outputs.open(name);
  try {
    let l: BackupLayout;
    try {
      l = verifyBackup(provider, f, roster);
    } catch (e) {
      if (!isCustosError(e)) throw e;
      throw new PolicyError('backup.exists', 'plan.output', `${name} exists and is not an archive this ceremony finished (${e.message}): Custos never overwrites; move it aside and run the plan again`, { cause: e });
    }
    if (l.header.ceremony !== ceremony) throw new PolicyError('backup.exists', 'plan.output', `${name} exists and was written by another ceremony (${l.header.ceremony}): Custos never overwrites; move it aside and run the plan again`);
    return l;
  } finally {
    f.close();
  }
}

/**
 * The plan's outputs (and paper shares) that are in the way: any that exists, for a fresh run
 * (`interrupted` undefined); for a resumed one, any that exists and that the interrupted run
 * did not record writing with the SHA-256 it has now. Refused before anyone is asked anything.
 */
export function checkOutputs(ports: Pick<CeremonyPorts, 'provider' | 'outputs' | 'paper'>, plan: Plan, roster: VerifiedRoster | undefined, interrupted: TranscriptReport | undefined): void {
  const paper = paperOutputs(plan);
  const media: [Medium, string[], 'outputs' | 'paper'][] = [[ports.outputs, planOutputs(plan), 'outputs']];
  if (paper.length) media.push([paperMedium(ports), paper, 'paper']);
  if (!interrupted) {
    const present = media.flatMap(([m, names]) => names.filter((f) => m.exists(f)));
    if (present.length) throw new PolicyError('plan.outputs.exist', 'plan.outputs', `would overwrite ${present.join(', ')}: Custos never overwrites; choose an empty directory`);
    return;
  }
  const wrote = recorded(interrupted.events);
  const unrecorded: string[] = [];
  const changed: string[] = [];
  for (const [m, names, which] of media)
    for (const name of names) {
      if (!m.exists(name)) continue;
      const sha256 = wrote[which].get(name);
      if (sha256 === undefined) {
        // Published by a backup that stopped before recording it: adopted if it is this ceremony's own.
        if (plan.kind === 'backup' && roster) ownArchive(ports.provider, m, name, roster, interrupted.ceremony);
        else unrecorded.push(name);
      } else if (m.sha256(name) !== sha256) changed.push(name);
    }
  if (unrecorded.length)
    throw new PolicyError(
      'plan.outputs.exist',
      'plan.outputs',
      `${unrecorded.join(', ')} ${unrecorded.length === 1 ? 'exists' : 'exist'}, and the interrupted run did not record writing ${them(unrecorded)} (it stopped between writing and recording, or the files were put there): the run would write ${them(unrecorded)} again and Custos never overwrites; move ${them(unrecorded)} aside and run the plan again`,
    );
  if (changed.length)
    throw new PolicyError(
      'plan.outputs.changed',
      'plan.outputs',
      `${changed.join(', ')} ${changed.length === 1 ? 'is not the file' : 'are not the files'} the interrupted run wrote (the SHA-256 differs from the one its transcript records): put back what it wrote`,
    );
}
