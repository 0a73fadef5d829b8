/**
 * The generate ceremony: a master key from the CSPRNG (optionally mixed with custodian dice),
 * its KCV and id, an M-of-N split checked over its subsets, one share per custodian written
 * to their medium and re-opened by them, and the transcript closed by the witnesses' and
 * operator's attestations. Every step appends a signed event; the master key is never stored
 * and is wiped once the shares are issued.
 */
import { CustosError, InputError, PolicyError } from '../errors';
import { concat, equalBytes, fromHex, toHex, utf8, wipe } from '../crypto/bytes';
import { isDeterministic } from '../crypto/random';
import { openShareFile, sealShareFile } from '../shares/file';
import { splitMasterKey } from '../shares/split';
import { shareToText, textToShare } from '../shares/text';
import { wipeShareRecord } from '../shares/record';
import { planOutputs, type GeneratePlan } from '../plan/schema';
import { checkSeparation, type VerifiedRoster } from '../roster/roster';
import { ageIdentityString, wipeIdentity, type IdentitySecrets } from '../roster/identity';
import { ATTEST, newChain, signEvent, type ChainState } from '../transcript/transcript';
import { fingerprintWords } from '../transcript/words';
import type { Json } from '../transcript/canonical';
import { checkAirgap, networkRecord } from './network';
import type { CeremonyPorts } from './ports';

export const MIN_DICE_ROLLS = 50;

export interface GenerateOptions {
  /** SHA-256 (hex) of the plan file, recorded in the transcript. */
  planSha256: string;
  rehearsal?: boolean;
  /** scrypt work factor of passphrase share files (default 18; lower only in rehearsals). */
  workFactor?: number;
}

export interface GenerateResult {
  ceremony: string;
  keyId: string;
  kcv: string;
  setId: string;
  head: string;
  headWords: string[];
}

/** Dice rolls as typed: digits 1-6, spaces allowed. Returns the digits. */
export function parseDice(text: string, field: string): string {
  const digits = text.replace(/\s+/g, '');
  if (!/^[1-6]*$/.test(digits)) throw new InputError('dice.char', field, 'must contain only the digits 1 to 6');
  if (digits.length < MIN_DICE_ROLLS) throw new InputError('dice.count', field, `needs at least ${MIN_DICE_ROLLS} rolls`);
  return digits;
}

export async function runGenerate(ports: CeremonyPorts, plan: GeneratePlan, roster: VerifiedRoster, opts: GenerateOptions): Promise<GenerateResult> {
  const { provider, rng, clock } = ports;
  const rehearsal = opts.rehearsal === true;
  if (isDeterministic(rng) && !rehearsal) throw new PolicyError('policy.rng', 'rng', 'a deterministic generator may only be used in a rehearsal');
  if (!/^[0-9a-f]{64}$/.test(opts.planSha256)) throw new InputError('generate.plan', 'planSha256', 'must be 64 hex digits');

  // Before any key exists: roles, separation of duties, air gap, outputs absent.
  checkSeparation(roster, { operator: plan.operator, custodians: plan.shares.custodians, witnesses: plan.witnesses }, clock());
  const network = ports.network();
  const airgapWarning = checkAirgap(network, plan.airgap);
  const present = planOutputs(plan).filter((f) => ports.outputs.exists(f));
  if (present.length) throw new PolicyError('plan.outputs.exist', 'plan.outputs', `would overwrite ${present.join(', ')}: Custos never overwrites`);

  let chain: ChainState = newChain(rng);
  let first = true;
  const append = (who: IdentitySecrets, type: string, data: { [k: string]: Json }) => {
    const r = signEvent({ provider, clock }, chain, { actor: who.id, signerSeed: who.signingSeed, type, data });
    ports.transcript.append(r.line, first);
    first = false;
    chain = r.state;
  };
  const unlock = async (id: string, purpose: string) => {
    const s = await ports.unlock(id, purpose);
    const expected = roster.publicKey(id);
    if (s.id !== id || !expected || !equalBytes(provider.ed25519PublicKey(s.signingSeed), expected)) {
      wipeIdentity(s);
      throw new PolicyError('policy.identity', id, `the identity presented is not ${id}'s enrolled identity`);
    }
    return s;
  };

  const operator = await unlock(plan.operator, 'open the ceremony and sign the shares');
  let masterKey: Uint8Array | undefined;
  try {
    ports.say(`Ceremony "${plan.ceremony.name}"${rehearsal ? ' (REHEARSAL: throwaway keys)' : ''}: ${plan.shares.threshold} of ${plan.shares.custodians.length} custodians.`);
    append(operator, 'ceremony.open', {
      kind: 'generate',
      name: plan.ceremony.name,
      organization: plan.ceremony.organization,
      plan: opts.planSha256,
      roster: roster.fingerprint,
      operator: plan.operator,
      custodians: plan.shares.custodians,
      witnesses: plan.witnesses,
      network: networkRecord(network),
      ...(airgapWarning && { warning: airgapWarning }),
      app: ports.appVersion,
      rehearsal,
    });

    // 1. The master key.
    const fresh = rng(32);
    if (plan.key.dice) {
      const rolls: string[] = [];
      for (const c of plan.shares.custodians) rolls.push(parseDice(await ports.dice(c), `dice.${c}`));
      const ikm = concat(fresh, utf8(`:${rolls.join(':')}`));
      masterKey = provider.hkdfSha256(ikm, new Uint8Array(0), utf8('custos/master-key/v1/dice'), 32);
      wipe(ikm, fresh); // the typed rolls themselves are strings: dice add entropy, they are not the secret
    } else {
      masterKey = fresh;
    }

    // 2. Split, prove every M-subset rebuilds it, sign the records with the operator's key.
    const split = await splitMasterKey({ provider, rng }, { masterKey, threshold: plan.shares.threshold, count: plan.shares.custodians.length, signerSeed: operator.signingSeed });
    const keyId = toHex(split.keyId);
    const setId = toHex(split.setId);
    append(operator, 'key.generated', {
      label: plan.key.label,
      keyId,
      kcv: split.kcv,
      source: plan.key.dice ? 'csprng+dice' : 'csprng',
      ...(plan.key.dice && { diceFrom: plan.shares.custodians }),
    });
    append(operator, 'shares.split', {
      setId,
      keyId,
      kcv: split.kcv,
      threshold: plan.shares.threshold,
      count: plan.shares.custodians.length,
      custodians: plan.shares.custodians,
      signer: toHex(provider.ed25519PublicKey(operator.signingSeed)),
      subsetCheck: { mode: split.subsetCheck.mode, checked: split.subsetCheck.checked, total: split.subsetCheck.total },
    });
    ports.say(`Key ${split.kcv} split ${plan.shares.threshold} of ${plan.shares.custodians.length}; ${split.subsetCheck.checked} subsets rebuilt it.`);

    // 3. Each custodian receives their share, file and/or paper. Every share is sealed first,
    //    in memory; only when all are sealed is anything written, so a refusal on the way
    //    (a passphrase too short, an impostor) leaves no share behind.
    const issued: { custodian: string; index: number; identity: IdentitySecrets; outputs: [string, Uint8Array][] }[] = [];
    try {
      for (const [i, c] of plan.shares.custodians.entries()) {
        const record = split.records[i]!;
        const identity = await unlock(c, `receive share ${i + 1}`);
        const outputs: [string, Uint8Array][] = [];
        issued.push({ custodian: c, index: i + 1, identity, outputs });
        if (plan.shares.forms.includes('file')) {
          const protection =
            plan.shares.protection === 'passphrase'
              ? { passphrase: await ports.choosePassphrase(c), ...(opts.workFactor !== undefined && { workFactor: opts.workFactor }) }
              : { recipient: roster.participant(c)!.ageRecipient };
          outputs.push([`${c}.share.age`, await sealShareFile({ provider, rng }, record, protection)]);
        }
        if (plan.shares.forms.includes('paper')) outputs.push([`${c}.share.txt`, utf8(shareToText(provider, record))]);
      }
    } catch (e) {
      for (const x of issued) {
        for (const [, b] of x.outputs) wipe(b);
        wipeIdentity(x.identity);
      }
      throw e;
    } finally {
      split.records.forEach(wipeShareRecord);
      wipe(masterKey);
      masterKey = undefined;
    }
    try {
      checkAirgap(ports.network(), plan.airgap); // again, before anything leaves memory
      for (const x of issued) {
        const files: Json[] = [];
        for (const [name, bytes] of x.outputs) files.push({ name, sha256: ports.outputs.write(name, bytes) });
        append(x.identity, 'share.issued', { custodian: x.custodian, index: x.index, setId, files });
      }
    } finally {
      for (const x of issued) {
        for (const [, b] of x.outputs) wipe(b);
        wipeIdentity(x.identity);
      }
    }
    ports.say('All shares issued; the master key is wiped. Each custodian now opens their share again.');

    // 4. Each custodian proves they can open what they carry away.
    for (const [i, c] of plan.shares.custodians.entries()) {
      const custodian = await unlock(c, `re-open share ${i + 1}`);
      try {
        const checked: string[] = [];
        if (plan.shares.forms.includes('file')) {
          const key = plan.shares.protection === 'passphrase' ? { passphrase: await ports.reenterPassphrase(c) } : { identity: ageIdentityString(custodian.ageSecret) };
          const r = await openShareFile(provider, ports.outputs.read(`${c}.share.age`), key);
          const ok = toHex(r.setId) === setId && r.index === i + 1;
          wipeShareRecord(r);
          if (!ok) throw new PolicyError('generate.reopen', c, `the share file of ${c} does not hold share ${i + 1} of set ${setId}`);
          checked.push(`${c}.share.age`);
        }
        if (plan.shares.forms.includes('paper')) {
          const bytes = ports.outputs.read(`${c}.share.txt`);
          const r = textToShare(provider, new TextDecoder().decode(bytes), `${c}.share.txt`);
          wipe(bytes);
          const ok = toHex(r.setId) === setId && r.index === i + 1;
          wipeShareRecord(r);
          if (!ok) throw new PolicyError('generate.reopen', c, `the paper share of ${c} does not hold share ${i + 1} of set ${setId}`);
          checked.push(`${c}.share.txt`);
        }
        append(custodian, 'share.verified', { custodian: c, index: i + 1, setId, checked });
      } finally {
        wipeIdentity(custodian);
      }
    }

    // 5. Close: witnesses, then the operator, attest the closing head. Every witness unlocks
    //    first, so a failure here cannot leave half a closing block.
    checkAirgap(ports.network(), plan.airgap);
    const closing = chain.head;
    ports.say(`Closing head: ${fingerprintWords(fromHex(closing)).join(' ')}. Witnesses and operator attest it.`);
    const witnesses: IdentitySecrets[] = [];
    try {
      for (const w of plan.witnesses) witnesses.push(await unlock(w, 'attest the transcript'));
      for (const w of witnesses) append(w, ATTEST, { head: closing });
    } finally {
      witnesses.forEach(wipeIdentity);
    }
    append(operator, ATTEST, { head: closing });
    return { ceremony: chain.ceremony, keyId, kcv: split.kcv, setId, head: closing, headWords: fingerprintWords(fromHex(closing)) };
  } catch (e) {
    // Once the transcript is open, a refusal or failure is recorded in it (what and where,
    // never a secret), so the record says why the ceremony stopped.
    if (chain.seq > 0) {
      const why = e instanceof CustosError ? { code: e.code, field: e.field, kind: e.kind } : { code: 'internal', field: '', kind: 'crypto' };
      try {
        append(operator, 'ceremony.aborted', why);
      } catch {
        // the medium itself failed: the original error is what matters
      }
    }
    throw e;
  } finally {
    wipe(masterKey);
    wipeIdentity(operator);
  }
}

