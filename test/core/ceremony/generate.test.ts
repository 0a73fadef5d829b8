import { describe, expect, it } from 'vitest';
import { runGenerate, MIN_DICE_ROLLS } from '../../../src/core/ceremony/generate';
import { runPlan } from '../../../src/core/ceremony/run';
import { parsePlan, type GeneratePlan } from '../../../src/core/plan/schema';
import { planTemplate } from '../../../src/core/plan/templates';
import { seededRng } from '../../../src/core/crypto/random';
import { openShareFile } from '../../../src/core/shares/file';
import { combineShares } from '../../../src/core/shares/combine';
import { textToShare } from '../../../src/core/shares/text';
import { verifyTranscript } from '../../../src/core/transcript/transcript';
import { fromHex } from '../../../src/core/crypto/bytes';
import { kcv } from '../../../src/core/crypto/kcv';
import { PolicyError, InputError, VerifyError } from '../../../src/core/errors';
import { nativeProvider as provider } from '../../../src/node/native-provider';
import { osRng } from '../../../src/node/platform';
import { makeRoster } from '../../helpers/roster';
import { memoryPorts } from '../../helpers/ports';
import { withoutPaperMedium } from '../../helpers/lifecycle';
import { describeSteps, progress } from '../../../src/core/ceremony/steps';

const { ids, verified } = makeRoster();
const plan = (edit: (t: string) => string = (t) => t): GeneratePlan =>
  parsePlan(withoutPaperMedium(edit(planTemplate('generate').replace('"REPLACE WITH THE EIGHT ROSTER FINGERPRINT WORDS READ ALOUD AT ENROLLMENT"', `"${verified.words.join(' ')}"`)))) as GeneratePlan;
const opts = { planSha256: 'ab'.repeat(32), rehearsal: true, workFactor: 10 };

describe('generate ceremony', () => {
  it('3-of-5: shares on file and paper, a verified transcript, and any 3 custodians rebuild the key', async () => {
    const ports = memoryPorts({ ids, rng: seededRng('gen') });
    const r = await runGenerate(ports, plan(), verified, opts);
    const report = verifyTranscript(provider, ports.transcriptText(), { publicKey: verified.publicKey });
    expect(report.events.map((e) => `${e.actor}:${e.type}`)).toEqual([
      'oscar:ceremony.open',
      'oscar:key.generated',
      'oscar:shares.split',
      'oscar:inventory.written',
      ...['alice', 'bob', 'carol', 'dave', 'erin'].map((c) => `${c}:share.issued`),
      ...['alice', 'bob', 'carol', 'dave', 'erin'].map((c) => `${c}:share.verified`),
      'wendy:attest',
      'oscar:attest',
    ]);
    expect(report.closing!.head).toBe(r.head);
    expect(report.closing!.words).toEqual(r.headWords);
    expect(report.events[0]!.data).toMatchObject({ rehearsal: true, network: { offline: true } });
    // nothing secret in the transcript
    const t = ports.transcriptText();
    expect(t).not.toMatch(/passphrase for tests/);
    // the shares: files need passphrases, paper parses; any 3 rebuild a key with the recorded KCV
    const signer = verified.publicKey('oscar')!;
    const alice = await openShareFile(provider, ports.files.get('alice.share.age')!, { passphrase: 'alice passphrase for tests' });
    const carol = await openShareFile(provider, ports.files.get('carol.share.age')!, { passphrase: 'carol passphrase for tests' });
    // Paper shares went to the paper medium only, and the transcript says where (never what).
    expect([...ports.files.keys()].filter((n) => n.endsWith('.txt'))).toEqual([]);
    expect([...ports.paperFiles.keys()].sort()).toEqual(['alice', 'bob', 'carol', 'dave', 'erin'].flatMap((c) => [`${c}.share.pdf`, `${c}.share.txt`]));
    const issued = report.events.find((e) => e.type === 'share.issued' && e.data.custodian === 'erin')!;
    expect(issued.data.files).toEqual([
      { name: 'erin.share.age', sha256: expect.stringMatching(/^[0-9a-f]{64}$/) },
      { name: 'erin.share.pdf', sha256: Buffer.from(provider.sha256(ports.paperFiles.get('erin.share.pdf')!)).toString('hex'), medium: 'paper', location: 'memory:paper' },
      { name: 'erin.share.txt', sha256: expect.stringMatching(/^[0-9a-f]{64}$/), medium: 'paper', location: 'memory:paper' },
    ]);
    const erin = textToShare(provider, new TextDecoder().decode(ports.paperFiles.get('erin.share.txt')!));
    const res = await combineShares(provider, [{ label: 'alice', record: alice }, { label: 'carol', record: carol }, { label: 'erin', record: erin }], { signer, setId: fromHex(r.setId) });
    expect(res.kcv).toBe(r.kcv);
    expect(kcv(provider, res.key)).toBe(r.kcv);
    expect(Buffer.from(res.keyId).toString('hex')).toBe(r.keyId);
  });

  it('a custodian sees their card as this ceremony wrote it; a card swapped on the paper medium is refused, never shown', async () => {
    const ports = memoryPorts({ ids, rng: seededRng('cards') });
    const shown: { who: string; lines: string[]; pdf?: Uint8Array }[] = [];
    ports.showShare = async (who, lines, pdf) => void shown.push({ who, lines, ...(pdf && { pdf: pdf.slice() }) });
    await runGenerate(ports, plan(), verified, opts);
    expect(shown.map((x) => x.who)).toEqual(['alice', 'bob', 'carol', 'dave', 'erin']);
    for (const x of shown) expect(Buffer.from(x.pdf!).equals(Buffer.from(ports.paperFiles.get(`${x.who}.share.pdf`)!))).toBe(true);

    // Someone with the paper stick replaces bob's card between its writing and its showing.
    const swapped = memoryPorts({ ids, rng: seededRng('cards swapped') });
    const read = swapped.paper!.read.bind(swapped.paper);
    swapped.paper!.read = (name: string) => (name === 'bob.share.pdf' ? new TextEncoder().encode('%PDF-1.7 another card') : read(name));
    const seen: string[] = [];
    swapped.showShare = async (who) => void seen.push(who);
    await expect(runGenerate(swapped, plan(), verified, opts)).rejects.toThrowError(/^bob\.share\.pdf: on the paper medium is not the card this ceremony wrote/);
    expect(seen).toEqual(['alice']);
  });

  it('reports each transcript event as it is appended, and the script advances with them', async () => {
    const ports = memoryPorts({ ids, rng: seededRng('steps') });
    const seen: { type: string; actor: string; seq: number }[] = [];
    const p = plan((t) => t.replace('[file, paper]', '[file]'));
    const steps = describeSteps(p, verified);
    const currents: (string | undefined)[] = [];
    ports.appended = (e) => {
      seen.push({ type: e.type, actor: e.actor, seq: e.seq });
      currents.push(progress(steps, seen.map((x, i) => ({ ...x, data: i === seen.length - 1 ? e.data : {} }))).current?.id);
    };
    await runGenerate(ports, p, verified, opts);
    const events = verifyTranscript(provider, ports.transcriptText(), { publicKey: verified.publicKey }).events;
    expect(seen).toEqual(events.map((e) => ({ type: e.type, actor: e.actor, seq: e.seq })));
    expect(currents.slice(0, 4)).toEqual(['generate', 'split', 'inventory', 'issue:alice']);
    expect(currents.at(-1)).toBeUndefined();
  });

  it('reports the subset check as it goes: every one of the 10 subsets of 3 of 5', async () => {
    const ports = memoryPorts({ ids, rng: seededRng('progress') });
    const work: { what: string; done: number; total: number }[] = [];
    ports.progress = (w) => void work.push(w);
    await runGenerate(ports, plan((t) => t.replace('[file, paper]', '[file]')), verified, opts);
    expect(work).toEqual(Array.from({ length: 10 }, (_, i) => ({ what: 'subsets', done: i + 1, total: 10 })));
  });

  it('run as a plan: a warning the room must see comes before anyone is asked, and each scrypt derivation is reported as work', async () => {
    const ports = memoryPorts({ ids, rng: seededRng('warn'), network: { interfaces: [{ name: 'lo', loopback: true, addresses: ['127.0.0.1'] }, { name: 'wlan0', loopback: false, addresses: ['10.1.2.3'] }] } });
    const order: string[] = [];
    ports.warn = (t) => void order.push(`warn: ${t}`);
    const asked = ports.unlock.bind(ports);
    ports.unlock = async (who, purpose) => {
      order.push(`unlock ${who}`);
      return asked(who, purpose);
    };
    const work: { what: string; done: number; total: number }[] = [];
    ports.progress = (w) => void work.push(w);
    await runPlan(ports, plan((t) => t.replace('[file, paper]', '[file]').replace('airgap: strict', 'airgap: warn')), verified, opts);
    expect(order[0]).toMatch(/^warn: .*wlan0/);
    expect(order[1]).toBe('unlock oscar');
    const scrypt = work.filter((w) => w.what === 'scrypt');
    // Each custodian's share file sealed and re-opened, each identity opened: every derivation starts at 0 of 1 and ends at 1 of 1.
    expect(scrypt.length).toBeGreaterThanOrEqual(2 * 5);
    expect(scrypt.length % 2).toBe(0);
    for (let i = 0; i < scrypt.length; i += 2) expect([scrypt[i], scrypt[i + 1]]).toEqual([{ what: 'scrypt', done: 0, total: 1 }, { what: 'scrypt', done: 1, total: 1 }]);
  });

  it('refuses, before any key exists, to put paper shares on the medium of the share files, or nowhere', async () => {
    for (const paper of ['same', 'none'] as const) {
      const ports = memoryPorts({ ids, rng: seededRng('paper') });
      if (paper === 'same') ports.paper = ports.outputs;
      else delete ports.paper;
      await expect(runGenerate(ports, plan(), verified, opts)).rejects.toThrowError(paper === 'same' ? /^plan\.outputs\.paper: is the outputs medium \(memory:outputs\): a paper share beside its encrypted share file/ : /^plan\.outputs\.paper: this plan makes paper shares and no medium was chosen/);
      expect(ports.files.size + ports.paperFiles.size).toBe(0);
      expect(ports.transcriptText()).toBe('');
    }
  });

  it('mixes custodian dice when the plan says so, and records it', async () => {
    const dice = Object.fromEntries(['alice', 'bob', 'carol', 'dave', 'erin'].map((c, i) => [c, '123456'.repeat(9) + String((i % 6) + 1)]));
    const ports = memoryPorts({ ids, rng: seededRng('dice'), dice });
    const p = plan((t) => t.replace('dice: false', 'dice: true').replace('[file, paper]', '[file]'));
    const r = await runGenerate(ports, p, verified, opts);
    const plain = await runGenerate(memoryPorts({ ids, rng: seededRng('dice') }), plan((t) => t.replace('[file, paper]', '[file]')), verified, opts);
    expect(r.kcv).not.toBe(plain.kcv); // same CSPRNG bytes, different key: the dice went in
    const ev = verifyTranscript(provider, ports.transcriptText(), { publicKey: verified.publicKey }).events[1]!;
    expect(ev.data).toMatchObject({ source: 'csprng+dice', diceFrom: ['alice', 'bob', 'carol', 'dave', 'erin'] });
    const bad = memoryPorts({ ids, rng: seededRng('d2'), dice: { ...dice, bob: '1234' } });
    await expect(runGenerate(bad, p, verified, opts)).rejects.toThrowError(new RegExp(`^dice\\.bob: needs at least ${MIN_DICE_ROLLS} rolls`));
  });

  it('refuses before any key exists, and writes nothing: custodian as witness, existing output, live network, throwaway RNG outside a rehearsal', async () => {
    const cases: [ReturnType<typeof memoryPorts>, GeneratePlan, typeof opts, RegExp][] = [];
    const p = plan();
    const asWitness = { ...p, witnesses: ['victor'], shares: { ...p.shares, custodians: ['alice', 'bob', 'victor'] } };
    cases.push([memoryPorts({ ids, rng: seededRng('a') }), asWitness, opts, /^witnesses: victor cannot be custodian and witness/]);
    const existing = memoryPorts({ ids, rng: seededRng('b') });
    existing.files.set('bob.share.age', new Uint8Array([1, 2, 3]));
    cases.push([existing, p, opts, /^plan\.outputs: would overwrite bob\.share\.age/]);
    const online = memoryPorts({ ids, rng: seededRng('c'), network: { interfaces: [{ name: 'eth0', loopback: false, addresses: ['10.1.1.1'] }] } });
    cases.push([online, p, opts, /^airgap: the plan requires an air gap, but eth0 is up/]);
    cases.push([memoryPorts({ ids, rng: seededRng('d') }), p, { ...opts, rehearsal: false }, /^rng: a deterministic generator may only be used in a rehearsal/]);
    for (const [ports, pl, o, re] of cases) {
      const before = new Map(ports.files);
      await expect(runGenerate(ports, pl, verified, o)).rejects.toThrow(PolicyError);
      await expect(runGenerate(ports, pl, verified, o)).rejects.toThrowError(re);
      expect(ports.transcriptText()).toBe('');
      expect(ports.files).toEqual(before);
    }
  });

  it('refuses an impostor: a participant presenting someone else\'s identity, asked again, then interrupted', async () => {
    const ports = memoryPorts({ ids, rng: osRng, impostor: { asked: 'bob', presents: 'alice' } });
    await expect(runGenerate(ports, plan(), verified, { ...opts, rehearsal: false })).rejects.toThrowError(/^bob: the identity presented is not bob's enrolled identity \(3 attempts to receive share 2\)/);
    expect(ports.files.size).toBe(0); // no share was written
    expect(ports.said.filter((s) => s.startsWith("bob: the identity presented is not bob's enrolled identity. Try again"))).toHaveLength(2);
  });

  it('a too-short share passphrase is refused before anything is sealed, naming it; each attempt recorded without the text', async () => {
    const ports = memoryPorts({ ids, rng: seededRng('pw'), passphrases: { carol: 'short' } });
    const e = await runGenerate(ports, plan(), verified, opts).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(PolicyError);
    expect((e as PolicyError).code).toBe('prompt.attempts');
    expect(((e as PolicyError).cause as InputError).field).toBe('sharePassphrase.carol');
    expect(ports.files.size).toBe(0); // alice's and bob's shares were sealed but never written
    const report = verifyTranscript(provider, ports.transcriptText(), { publicKey: verified.publicKey });
    expect(report.closing).toBeUndefined();
    expect(report.events.map((x) => x.type)).not.toContain('ceremony.aborted'); // an interruption, not an abort
    expect(report.events.filter((x) => x.type === 'attempt.failed').map((x) => x.data)).toEqual([1, 2, 3].map((attempt) => ({ participant: 'carol', step: 'choose the passphrase of your share file', attempt, code: 'prompt.short' })));
    expect(ports.transcriptText()).not.toContain('"short"');
  });
});

describe('a Cancel is an interruption', () => {
  it('a custodian who cancels the re-opening of their share stops the run without an abort; the rerun resumes and closes', async () => {
    const ports = memoryPorts({ ids, rng: seededRng('cancel') });
    const cancelling = {
      ...ports,
      async reenterPassphrase(c: string): Promise<string> {
        if (c === 'carol') throw new InputError('prompt.cancelled', 'sharePassphrase.carol', 'was cancelled');
        return ports.reenterPassphrase(c);
      },
    };
    await expect(runGenerate(cancelling, plan(), verified, opts)).rejects.toThrowError(/was cancelled/);
    const cut = verifyTranscript(provider, ports.transcriptText(), { publicKey: verified.publicKey });
    expect(cut.events.map((e) => e.type)).not.toContain('ceremony.aborted');
    const r = await runGenerate(ports, plan(), verified, opts);
    const done = verifyTranscript(provider, ports.transcriptText(), { publicKey: verified.publicKey });
    expect(done.closing?.head).toBe(r.head);
    expect(done.events.filter((e) => e.type === 'share.verified').map((e) => e.actor)).toEqual(['alice', 'bob', 'carol', 'dave', 'erin']);
  });
});

describe('verifying a generate transcript as an auditor', async () => {
  const { checkCeremonyTranscript } = await import('../../../src/core/ceremony/verify');
  const { signEvent, ATTEST } = await import('../../../src/core/transcript/transcript');
  const ports = memoryPorts({ ids, rng: seededRng('audit') });
  const r = await runGenerate(ports, plan((t) => t.replace('[file, paper]', '[file]')), verified, opts);
  const text = ports.transcriptText();
  const lines = text.split('\n').slice(0, -1);
  const check = (t: string, roster = verified) => checkCeremonyTranscript(verifyTranscript(provider, t, { publicKey: roster.publicKey }), roster);
  const clock = () => new Date('2026-11-28T11:00:00.000Z');
  /** Re-close a cut transcript with attestations by `who`. */
  const reclose = (kept: string[], who: string[]) => {
    let t = kept.join('\n') + '\n';
    const rep = verifyTranscript(provider, t, { publicKey: verified.publicKey });
    let state = rep.state;
    for (const w of who) {
      const a = signEvent({ provider, clock }, state, { actor: w, signerSeed: ids.get(w)!.signingSeed, type: ATTEST, data: { head: rep.head } });
      t += a.line;
      state = a.state;
    }
    return t;
  };

  it('accepts the real thing and summarises it', () => {
    expect(check(text)).toMatchObject({ kind: 'generate', keyId: r.keyId, kcv: r.kcv, setId: r.setId, witnesses: ['wendy'], operator: 'oscar', closingWords: r.headWords });
  });
  it('refuses a cut transcript closed by the operator alone', () => {
    expect(() => check(reclose(lines.slice(0, 5), ['oscar']))).toThrowError(/^transcript\.closing: is attested by oscar; the ceremony needs wendy, oscar/);
  });
  it('refuses a cut transcript closed by the right people: a step is missing', () => {
    expect(() => check(reclose(lines.slice(0, 6), ['wendy', 'oscar']))).toThrowError(/^transcript(\.line\[\d+\])?: expected share\.issued by carol/);
  });
  it('refuses a transcript of another roster', () => {
    const other = makeRoster('other roster').verified;
    expect(() => checkCeremonyTranscript(verifyTranscript(provider, text, { publicKey: verified.publicKey }), other)).toThrowError(/^transcript\.line\[1\]\.data\.roster: names another roster/);
  });
  it('a damaged line is a verification failure, not an input error', () => {
    const t = text.replace('"kind":"generate"', '"kind": "generate"');
    expect(() => check(t)).toThrow(VerifyError);
  });
});
