/**
 * The steps that make and hand out shares, shared by generate, reshare and rotate: a new master
 * key (CSPRNG, optionally mixed with custodian dice), the split checked over its subsets, one
 * share per custodian sealed in memory and only then written, and each custodian re-opening
 * what they carry away.
 */
import { renderShareCard } from '../paper/share-card';
import { InputError, PolicyError } from '../errors';
import { concat, toHex, utf8, wipe } from '../crypto/bytes';
import { openShareFile, sealShareFile } from '../shares/file';
import { splitMasterKey, type SplitResult } from '../shares/split';
import { shareToText, textToShare } from '../shares/text';
import { wipeShareRecord, type ShareRecord } from '../shares/record';
import type { SharesSpec } from '../plan/schema';
import { ageIdentityString, wipeIdentity, type IdentitySecrets } from '../roster/identity';
import type { Json } from '../transcript/canonical';
import { checkAirgap } from './network';
import type { Session } from './session';
import type { SignedEvent } from '../transcript/transcript';
import type { CeremonyPorts } from './ports';
import { MIN_PASSPHRASE_CHARS } from '../age';
import { meter, type Medium } from './ports';

/** The medium paper shares go to: never the one that carries the encrypted share files. */
export function paperMedium(ports: Pick<CeremonyPorts, 'paper' | 'outputs'>): Medium {
  if (!ports.paper) throw new PolicyError('shares.paper', 'plan.outputs.paper', 'this plan makes paper shares and no medium was chosen for them');
  if (ports.paper === ports.outputs || ports.paper.location === ports.outputs.location)
    throw new PolicyError('shares.paper', 'plan.outputs.paper', `is the outputs medium (${ports.outputs.location}): a paper share beside its encrypted share file makes the encryption moot; choose a medium of its own`);
  return ports.paper;
}

export const MIN_DICE_ROLLS = 50;

/** Dice rolls as typed: digits 1-6, spaces allowed. Returns the digits. */
export function parseDice(text: string, field: string): string {
  const digits = text.replace(/\s+/g, '');
  if (!/^[1-6]*$/.test(digits)) throw new InputError('dice.char', field, 'must contain only the digits 1 to 6');
  if (digits.length < MIN_DICE_ROLLS) throw new InputError('dice.count', field, `needs at least ${MIN_DICE_ROLLS} rolls`);
  return digits;
}

/** A fresh master key. SECRET: the caller wipes it. */
export async function newMasterKey(session: Session, key: { dice: boolean }, custodians: string[]): Promise<Uint8Array> {
  const { provider, rng } = session.ports;
  const fresh = rng(32);
  if (!key.dice) return fresh;
  const rolls: string[] = [];
  for (const c of custodians) rolls.push(parseDice(await session.ports.dice(c), `dice.${c}`));
  const ikm = concat(fresh, utf8(`:${rolls.join(':')}`));
  try {
    return provider.hkdfSha256(ikm, new Uint8Array(0), utf8('custos/master-key/v1/dice'), 32);
  } finally {
    wipe(ikm, fresh); // the typed rolls themselves are strings: dice add entropy, they are not the secret
  }
}

/** Split the master key, prove every M-subset rebuilds it, sign the records; record the split. */
export async function splitAndRecord(session: Session, masterKey: Uint8Array, spec: SharesSpec): Promise<SplitResult> {
  const { provider, rng } = session.ports;
  let tick: ((done: number) => void) | undefined;
  const split = await splitMasterKey(
    { provider, rng },
    {
      masterKey,
      threshold: spec.threshold,
      count: spec.custodians.length,
      signerSeed: session.operator.signingSeed,
      rehearsal: session.rehearsal,
      onProgress: (done, total) => (tick ??= meter('subsets', total, session.ports.progress))(done),
    },
  );
  session.append(session.operator, 'shares.split', {
    setId: toHex(split.setId),
    keyId: toHex(split.keyId),
    kcv: split.kcv,
    threshold: spec.threshold,
    count: spec.custodians.length,
    custodians: spec.custodians,
    forms: spec.forms,
    protection: spec.protection,
    signer: toHex(provider.ed25519PublicKey(session.operator.signingSeed)),
    subsetCheck: { mode: split.subsetCheck.mode, checked: split.subsetCheck.checked, total: split.subsetCheck.total },
  });
  session.ports.readAloud?.({ label: 'Master key KCV', value: split.kcv });
  session.ports.say(`Key ${split.kcv} split ${spec.threshold} of ${spec.custodians.length}; ${split.subsetCheck.checked} subsets rebuilt it.`);
  return split;
}

/**
 * Each custodian receives their share, file and/or paper. Every share is sealed first, in
 * memory; only when all are sealed is anything written, so a refusal on the way (a passphrase
 * too short, an impostor) leaves no share behind. The records are wiped here.
 */
export async function issueShares(session: Session, split: SplitResult, spec: SharesSpec, airgap: 'strict' | 'warn', workFactor?: number): Promise<void> {
  const { ports } = session;
  const { provider, rng } = ports;
  const setId = toHex(split.setId);
  const paper = spec.forms.includes('paper') ? paperMedium(ports) : undefined;
  const issued: { custodian: string; index: number; identity: IdentitySecrets; outputs: [Medium, string, Uint8Array][] }[] = [];
  try {
    try {
      for (const [i, c] of spec.custodians.entries()) {
        const record = split.records[i]!;
        const identity = await session.unlock(c, `receive share ${i + 1}`);
        const outputs: [Medium, string, Uint8Array][] = [];
        issued.push({ custodian: c, index: i + 1, identity, outputs });
        if (spec.forms.includes('file')) {
          const protection =
            spec.protection === 'passphrase'
              ? { passphrase: await session.attempt(c, 'choose the passphrase of your share file', () => chosenPassphrase(ports, c)), ...(workFactor !== undefined && { workFactor }) }
              : { recipient: session.roster.participant(c)!.ageRecipient };
          outputs.push([ports.outputs, `${c}.share.age`, await sealShareFile({ provider, rng }, record, protection)]);
        }
        if (paper) {
          const text = shareToText(provider, record); // once: the card prints it, the text file holds it
          outputs.push([paper, `${c}.share.pdf`, await shareCard(session, record, text, c, spec)]);
          outputs.push([paper, `${c}.share.txt`, utf8(text)]);
        }
      }
    } finally {
      split.records.forEach(wipeShareRecord);
    }
    checkAirgap(ports.network(), airgap); // again, before anything leaves memory
    for (const x of issued) {
      const files: Json[] = [];
      // Where each went is recorded (the paper medium by its location), never what it holds.
      for (const [medium, name, bytes] of x.outputs) files.push({ name, sha256: medium.write(name, bytes), ...(medium === paper && { medium: 'paper', location: medium.location }) });
      session.append(x.identity, 'share.issued', { custodian: x.custodian, index: x.index, setId, files });
    }
  } finally {
    for (const x of issued) {
      for (const [, , b] of x.outputs) wipe(b);
      wipeIdentity(x.identity);
    }
  }
  if (paper)
    ports.say(`The share cards are on the paper medium (${paper.location}): ${issued.map((x) => `${x.custodian}.share.pdf`).join(', ')}. Each is printed there, checked by its custodian, and sealed in an envelope whose number is written on the card.`);
  ports.say('All shares issued. Each custodian now opens their share again.');
}

/**
 * A custodian's share card (PDF) for the paper medium: dated by the split it belongs to, so the
 * card of a share renders to the same bytes whenever it is made from the same transcript.
 */
async function shareCard(session: Session, record: ShareRecord, text: string, c: string, spec: SharesSpec): Promise<Uint8Array> {
  const { ports } = session;
  if (!ports.fonts) throw new PolicyError('shares.paper', 'plan.outputs.paper', 'this workstation has no fonts to print share cards with');
  const setId = toHex(record.setId);
  const split = session.recorded('shares.split', (e) => e.data.setId === setId);
  if (!split) throw new PolicyError('session.step', 'shares.split', `no split of set ${setId} is recorded: its cards cannot be dated`);
  return renderShareCard(ports.fonts(), {
    record,
    text,
    custodian: { id: c, name: session.roster.participant(c)?.name ?? c },
    organization: session.plan.ceremony.organization,
    ceremony: { id: session.ceremony, name: session.plan.ceremony.name },
    issued: new Date(split.time),
    ...(spec.forms.includes('file') && { shareFile: { name: `${c}.share.age`, protection: spec.protection } }),
  });
}

/**
 * The card of `c` as this ceremony wrote it: read back from the paper medium and shown only if
 * its SHA-256 is the one `share.issued` recorded (a card swapped on the medium is refused).
 */
function issuedCard(session: Session, c: string, setId: string): Uint8Array | undefined {
  const { ports } = session;
  const name = `${c}.share.pdf`;
  const issued = session.recorded('share.issued', (e) => e.data.custodian === c && e.data.setId === setId);
  const files = issued && Array.isArray(issued.data.files) ? (issued.data.files as { name?: unknown; sha256?: unknown }[]) : [];
  const recorded = files.find((f) => f.name === name)?.sha256;
  if (typeof recorded !== 'string') return undefined; // a set issued before cards were printed
  const bytes = paperMedium(ports).read(name);
  if (toHex(ports.provider.sha256(bytes)) !== recorded) {
    wipe(bytes);
    throw new PolicyError('generate.reopen', name, `on the paper medium is not the card this ceremony wrote (its SHA-256 differs from the one recorded): the medium was changed; do not print it`);
  }
  return bytes;
}

/** A share passphrase of the minimum length, refused before anything is sealed. */
async function chosenPassphrase(ports: CeremonyPorts, c: string): Promise<string> {
  const p = await ports.choosePassphrase(c);
  if ([...p].length < MIN_PASSPHRASE_CHARS) throw new InputError('prompt.short', `sharePassphrase.${c}`, `the passphrase must be at least ${MIN_PASSPHRASE_CHARS} characters`);
  return p;
}

/** Each custodian proves they can open what they carry away; a resumed run skips those already done. */
export async function verifyIssued(session: Session, setId: string, spec: SharesSpec): Promise<void> {
  const { ports } = session;
  const { provider } = ports;
  for (const [i, c] of spec.custodians.entries()) {
    if (session.done('share.verified', (e) => e.data.custodian === c && e.data.setId === setId)) continue;
    const custodian = await session.unlock(c, `re-open share ${i + 1}`);
    try {
      const checked: string[] = [];
      let printed = false;
      if (spec.forms.includes('file')) {
        const file = ports.outputs.read(`${c}.share.age`);
        const r =
          spec.protection === 'passphrase'
            ? await session.attempt(c, 're-open your share file', async () => openShareFile(provider, file, { passphrase: await ports.reenterPassphrase(c) }))
            : await openShareFile(provider, file, { identity: ageIdentityString(custodian.ageSecret) });
        const ok = toHex(r.setId) === setId && r.index === i + 1;
        wipeShareRecord(r);
        if (!ok) throw new PolicyError('generate.reopen', c, `the share file of ${c} does not hold share ${i + 1} of set ${setId}`);
        checked.push(`${c}.share.age`);
      }
      if (spec.forms.includes('paper')) {
        const bytes = paperMedium(ports).read(`${c}.share.txt`);
        const text = new TextDecoder().decode(bytes);
        const r = textToShare(provider, text, `${c}.share.txt`);
        wipe(bytes);
        // On a screen, the custodian sees their own card (it checked above) to compare with the printout or copy, and may print it.
        if (ports.showShare) {
          const pdf = issuedCard(session, c, setId);
          try {
            const shown = await ports.showShare(c, text.split('\n').filter((l) => l.trim() !== ''), pdf);
            if (shown?.printed) printed = true;
          } finally {
            pdf?.fill(0);
          }
        }
        const ok = toHex(r.setId) === setId && r.index === i + 1;
        wipeShareRecord(r);
        if (!ok) throw new PolicyError('generate.reopen', c, `the paper share of ${c} does not hold share ${i + 1} of set ${setId}`);
        checked.push(`${c}.share.txt`);
      }
      // Whether the card went to the printer too (through the system's dialog); never what it holds.
      session.append(custodian, 'share.verified', { custodian: c, index: i + 1, setId, checked, ...(printed && { printed: 'system print dialog' }) });
    } finally {
      wipeIdentity(custodian);
    }
  }
}

/**
 * Why an interrupted run cannot be resumed past its split: the shares of a split are usable
 * only if every one was written; otherwise the master key died with the interrupted run and the
 * shares issued so far are void. Undefined when it can (or no split is recorded).
 */
export function lostSplit(prior: SignedEvent[]): PolicyError | undefined {
  const lost = keyLost(prior);
  if (!lost) return undefined;
  return new PolicyError(
    'ceremony.key-lost',
    'transcript',
    lost.setId === undefined
      ? 'the run stopped after the key was generated and before it was split: that key is gone; start again under a new transcript name'
      : `the run stopped before every share of set ${lost.setId} was written: the master key is gone and the shares issued so far are void; start again under a new transcript name`,
  );
}

/**
 * Whether an interrupted run's master key is gone, read from its events alone (the run and the
 * vault doctor both ask): generated and never split, or split into a set of which fewer shares
 * were issued, each to a custodian of its own, than the split made. Undefined when it is not.
 */
export function keyLost(prior: SignedEvent[]): { setId?: string; issued?: number; count?: number } | undefined {
  const split = prior.filter((e) => e.type === 'shares.split').at(-1);
  if (!split) return prior.some((e) => e.type === 'key.generated') ? {} : undefined;
  const setId = String(split.data.setId);
  const count = Number(split.data.count);
  const issued = new Set(prior.filter((e) => e.type === 'share.issued' && e.data.setId === setId).map((e) => String(e.data.custodian))).size;
  return issued < count ? { setId, issued, count } : undefined;
}

/** On resume: the set whose shares were all written, to verify them; undefined when no split is recorded (`lostSplit` refuses the rest). */
export function resumeSplit(session: Session): string | undefined {
  const lost = lostSplit(session.prior);
  if (lost) throw lost;
  const split = session.prior.filter((e) => e.type === 'shares.split').at(-1);
  return split ? String(split.data.setId) : undefined;
}
