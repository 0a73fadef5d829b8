/**
 * The script of a ceremony, before it starts: every step with who acts (role and person), what
 * they do and what they check. The app's wizard shows it with the current step, `custos plan
 * script` prints it, and the printed script is made from it. Progress is read from the
 * transcript as it grows: a step is done when the event that records it is appended
 * (`stepOf`), so the script cannot drift from what the engine does; a step that records no
 * event of its own (a participant choosing a passphrase) is done when the next one is.
 */
import type { Plan } from '../plan/schema';
import type { VerifiedRoster } from '../roster/roster';
import type { SignedEvent } from '../transcript/transcript';

export type StepRole = 'operator' | 'custodian' | 'witness' | 'approver' | 'participant' | 'dr-officer';

export interface Step {
  /** Stable within a plan: `open`, `share:alice`, `approve:dave`, `attest:wendy`, ... */
  id: string;
  role: StepRole;
  /** The participant id who acts. */
  person: string;
  /** Their name from the roster, when known. */
  name?: string;
  /** "custodian 2 of 5", for the sentence that hands over the keyboard. */
  position?: string;
  action: string;
  check: string;
  /** The transcript event that records this step (type, and the participant it names); none for a step recorded by the next. */
  recordedBy?: { type: string; who?: string };
}

const ofN = (i: number, n: number) => `${i + 1} of ${n}`;

/** The whole script of `plan`, in the order the engine runs it. */
export function describeSteps(plan: Plan, roster?: VerifiedRoster): Step[] {
  // An enrollment names its people itself (their roster does not exist yet).
  const name = (id: string) => roster?.participant(id)?.name ?? (plan.kind === 'enroll' ? plan.participants.find((p) => p.id === id)?.name : undefined);
  const step = (s: Step): Step => {
    const n = name(s.person);
    return n === undefined ? s : { ...s, name: n };
  };
  const steps: Step[] = [];
  const operator = plan.operator;
  const operatorRole: StepRole = plan.kind === 'restore' && roster?.participant(operator)?.roles.includes('dr-officer') ? 'dr-officer' : 'operator';
  const op = (id: string, action: string, check: string, type?: string) => steps.push(step({ id, role: operatorRole, person: operator, action, check, ...(type && { recordedBy: { type } }) }));

  if (plan.kind === 'enroll') {
    const n = plan.participants.length;
    plan.participants.forEach((p, i) =>
      steps.push(
        step({
          id: `identity:${p.id}`,
          role: 'participant',
          person: p.id,
          name: p.name,
          position: `participant ${ofN(i, n)}`,
          action: p.keep ? 'keeps the keys the previous roster enrolled' : p.request ? 'brings the enrollment request they signed on their own machine' : 'creates their identity: types a passphrase only they know, twice, and chooses their own medium for the file',
          check: p.request ? 'the key words of their request match the ones they wrote down' : 'the identity file is written to their medium and read back',
        }),
      ),
    );
    op('open', 'opens the ceremony: unlocks their identity', 'the draft roster lists everyone, with their roles', 'ceremony.open');
    plan.participants.forEach((p, i) =>
      steps.push(
        step({
          id: `sign:${p.id}`,
          role: 'participant',
          person: p.id,
          name: p.name,
          position: `participant ${ofN(i, n)}`,
          action: 'unlocks their identity, opens the challenge sealed to it, and signs the roster',
          check: 'their name, roles and key words in the roster',
          recordedBy: { type: 'participant.enrolled', who: p.id },
        }),
      ),
    );
    op('roster', 'writes the signed roster to the output medium', "everyone writes the roster's eight words on the enrollment paper and signs it", 'roster.written');
  } else {
    op('open', 'opens the ceremony: unlocks their identity', 'the plan, the pinned roster words and the air gap', 'ceremony.open');
    const quorum = 'quorum' in plan ? plan.quorum : [];
    const bringShares = () =>
      quorum.forEach((c, i) =>
        steps.push(
          step({
            id: `share:${c}`,
            role: 'custodian',
            person: c,
            position: `custodian ${ofN(i, quorum.length)} of the quorum`,
            action: 'unlocks their identity and brings their share: the share file and its passphrase, or the paper share',
            check: 'the share is of the set the vault expects, and theirs',
            recordedBy: { type: 'quorum.share', who: c },
          }),
        ),
      );
    const unlock = () => {
      bringShares();
      op('unlock', 'rebuilds the master key from the shares', 'the master key KCV read aloud matches the one on record', 'quorum.unlocked');
    };
    const approve = (kind: string, what: string) =>
      ('approvers' in plan ? plan.approvers : []).forEach((a, i) =>
        steps.push(
          step({ id: `approve:${a}`, role: 'approver', person: a, position: `approver ${ofN(i, 2)}`, action: `reads the summary of ${what} and types yes, then unlocks their identity and signs`, check: 'every line of the summary: keys and KCVs, recipient and its words, expiry, transcript head', recordedBy: { type: `${kind}.approved`, who: a } }),
        ),
      );
    const issue = (shares: { custodians: string[]; threshold: number; forms: string[]; protection: string }, dice: boolean) => {
      if (dice) shares.custodians.forEach((c) => steps.push(step({ id: `dice:${c}`, role: 'custodian', person: c, action: 'types their dice rolls', check: 'at least 50 rolls, digits 1 to 6' })));
      op('generate', 'generates the master key from the workstation CSPRNG', 'the master key KCV is read aloud', 'key.generated');
      op('split', `splits it ${shares.threshold} of ${shares.custodians.length} and checks every subset rebuilds it`, 'the subsets checked', 'shares.split');
      shares.custodians.forEach((c, i) =>
        steps.push(
          step({
            id: `issue:${c}`,
            role: 'custodian',
            person: c,
            position: `custodian ${ofN(i, shares.custodians.length)}`,
            action: `receives share ${i + 1}: ${shares.forms.includes('file') ? (shares.protection === 'passphrase' ? 'chooses the passphrase of their share file, twice' : 'their share file, sealed to their identity') : 'their paper share'}`,
            check: 'the share file on their medium (and the paper share on its own medium)',
            recordedBy: { type: 'share.issued', who: c },
          }),
        ),
      );
      shares.custodians.forEach((c, i) =>
        steps.push(step({ id: `verify:${c}`, role: 'custodian', person: c, position: `custodian ${ofN(i, shares.custodians.length)}`, action: `opens share ${i + 1} again`, check: 'their share opens and is theirs', recordedBy: { type: 'share.verified', who: c } })),
      );
    };
    switch (plan.kind) {
      case 'generate':
        issue(plan.shares, plan.key.dice);
        steps.splice(
          steps.findIndex((s) => s.id.startsWith('issue:')),
          0,
          step({ id: 'inventory', role: 'operator', person: operator, action: 'writes the empty key inventory, sealed under the master key', check: 'the inventory generation 0 recorded', recordedBy: { type: 'inventory.written' } }),
        );
        break;
      case 'add-key':
      case 'change-state':
        unlock();
        op('inventory', plan.kind === 'add-key' ? `adds ${plan.keys.map((k) => k.name).join(', ')} to the inventory` : `changes ${plan.changes.map((c) => `${c.key} to ${c.to}`).join(', ')}`, 'each key and its KCV', 'inventory.written');
        break;
      case 'export-bundle':
      case 'escrow':
        unlock();
        approve(plan.kind === 'export-bundle' ? 'bundle' : 'escrow', plan.kind === 'export-bundle' ? 'the export bundle' : 'the escrow export');
        op('write', `writes ${plan.output}${plan.kind === 'escrow' ? ' (manifest and payload)' : ''} to the output medium`, 'its SHA-256 as recorded', plan.kind === 'export-bundle' ? 'bundle.written' : 'escrow.written');
        break;
      case 'backup':
        approve('backup', 'the backup');
        op('write', `writes ${plan.output} to the output medium`, 'its SHA-256 as recorded', 'backup.written');
        break;
      case 'restore':
        op('verify-backup', `verifies the backup ${plan.backup.file}`, 'its two approvals and its SHA-256', 'backup.verified');
        unlock();
        op('restore', 'restores the vault and checks every key KCV', 'the master key and every KCV as in the backup', 'inventory.restored');
        break;
      case 'reshare':
        unlock();
        issue(plan.shares, false);
        steps.splice(
          steps.findIndex((s) => s.id === 'generate'),
          1,
        ); // a reshare splits the master key the quorum rebuilt
        op('revoke', 'revokes the old share set', 'the old set id', 'shares.revoked');
        break;
      case 'rotate':
        unlock();
        issue(plan.shares, plan.key.dice);
        steps.splice(
          steps.findIndex((s) => s.id.startsWith('issue:')),
          0,
          step({ id: 'inventory', role: 'operator', person: operator, action: 're-wraps every key under the new master key', check: 'every KCV unchanged', recordedBy: { type: 'inventory.written' } }),
        );
        op('revoke', 'revokes the old share set and retires the old master key', 'the old set id and master key', 'master.retired');
        break;
      case 'confirm-import':
        op('confirm', `checks the key server's receipt ${plan.receipt.file} against the exported bundle`, 'the receipt is signed by the pinned transport key and names every key with its KCV', 'import.confirmed');
        break;
    }
  }
  plan.witnesses.forEach((wit, i) =>
    steps.push(step({ id: `attest:${wit}`, role: 'witness', person: wit, position: `witness ${ofN(i, plan.witnesses.length)}`, action: 'attests the closing head', check: 'the closing words read aloud match the screen', recordedBy: { type: 'attest', who: wit } })),
  );
  steps.push(step({ id: 'close', role: operatorRole, person: operator, action: 'attests the closing head last: the ceremony is closed', check: 'the closing words, written on the ceremony record', recordedBy: { type: 'attest', who: operator } }));
  return steps;
}

/** The step a transcript event records, if any. */
export function stepOf(steps: readonly Step[], event: Pick<SignedEvent, 'type' | 'actor' | 'data'>): Step | undefined {
  const who = (s: Step) => s.recordedBy?.who;
  return steps.find((s) => {
    if (!s.recordedBy || s.recordedBy.type !== event.type) return false;
    if (who(s) === undefined) return true;
    const named = typeof event.data.custodian === 'string' ? event.data.custodian : event.actor;
    return event.type === 'attest' || event.type.endsWith('.approved') || event.type === 'participant.enrolled' ? event.actor === who(s) : named === who(s);
  });
}

/** Where a ceremony stands: the steps done (by the events so far) and the one to do next. */
export function progress(steps: readonly Step[], events: readonly Pick<SignedEvent, 'type' | 'actor' | 'data'>[]): { done: Set<string>; current: Step | undefined } {
  let last = -1;
  for (const e of events) {
    const s = stepOf(steps, e);
    if (s) last = Math.max(last, steps.indexOf(s));
  }
  // Steps before the last recorded one are done, recorded or not (a passphrase chosen, dice typed).
  const done = new Set(steps.slice(0, last + 1).map((s) => s.id));
  return { done, current: steps[last + 1] };
}

/**
 * The steps an interrupted ceremony has done, read from its transcript's lines for display (the
 * session verifies the transcript itself before resuming). A line that does not parse counts for
 * nothing.
 */
export function doneSoFar(steps: readonly Step[], transcript: string | undefined): string[] {
  if (!transcript) return [];
  const events: Pick<SignedEvent, 'type' | 'actor' | 'data'>[] = [];
  for (const line of transcript.split('\n')) {
    if (!line.trim()) continue;
    try {
      const e = JSON.parse(line) as { type?: unknown; actor?: unknown; data?: unknown };
      if (typeof e.type === 'string' && typeof e.actor === 'string') events.push({ type: e.type, actor: e.actor, data: e.data && typeof e.data === 'object' ? (e.data as SignedEvent['data']) : {} });
    } catch {
      // not an event: nothing done by it
    }
  }
  return [...progress(steps, events).done];
}
