/**
 * One ceremony run: the transcript it appends to, the people who sign its steps, and the
 * rules every ceremony shares. Before anything happens the roster's separation of duties and
 * the air gap are checked; the operator opens the transcript; each step is a signed event;
 * witnesses then the operator attest the closing head. A refusal or failure once the
 * transcript is open is recorded in it.
 *
 * Resume: when a run was interrupted (power cut, SIGKILL), the transcript it left is verified
 * and continued: the operator records the interruption as a deviation and the first witness
 * countersigns it; the ceremony then skips every step the transcript shows as done.
 */
import { CustosError, PolicyError, VerifyError } from '../errors';
import { equalBytes, fromHex } from '../crypto/bytes';
import { isDeterministic } from '../crypto/random';
import { ageRecipientOf, openIdentity, wipeIdentity, type IdentitySecrets } from '../roster/identity';
import { checkSeparation, type Assignment, type VerifiedRoster } from '../roster/roster';
import { ATTEST, newChain, signEvent, verifyTranscript, type ChainState, type SignedEvent, type TranscriptReport } from '../transcript/transcript';
import { fingerprintWords } from '../transcript/words';
import type { Json } from '../transcript/canonical';
import { checkAirgap, networkRecord } from './network';
import type { CeremonyPorts } from './ports';
import type { CryptoProvider } from '../crypto/provider';

/** How many times a person may retry a step they mistyped. */
export const ATTEMPTS = 3;
/** Failures of what a person typed or presented: asked again, never an abort. */
const RETRYABLE = new Set([
  'file.passphrase',
  'file.identity',
  'file.header',
  'prompt.mismatch',
  'prompt.short',
  'policy.identity',
  'input.read',
  'identity.magic',
  'identity.length',
  'identity.version',
  'share.reopen',
  // A share of another set, or one issued to someone else: the custodian brings the right one.
  'quorum.wrong-set',
  'quorum.holder',
  // A paper share typed with a mistake, or a text file that is not a share.
  'text.check',
  'text.char',
  'text.line',
  'text.lineLength',
  'text.lineNumber',
  'text.missing',
  'text.header',
  'record.digest',
  // A picture of a card whose QR code cannot be read, or holds no share: another picture, or the card typed.
  'qr.none',
  'qr.image',
  'qr.prefix',
  'qr.version',
  'qr.length',
  'qr.char',
]);

/** Session.attempt, also for steps before a transcript exists (`record` is then a no-op). */
export async function attempt<T>(ports: Pick<CeremonyPorts, 'say' | 'retrying'>, who: string, step: string, fn: () => Promise<T>, record: (n: number, code: string) => void = () => undefined): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await fn();
    } catch (e) {
      if (!(e instanceof CustosError) || !RETRYABLE.has(e.code)) throw e;
      record(n, e.code);
      const named = e.field === who || e.field.endsWith(`.${who}`); // the field names the person: say it once
      const reason = named ? e.detail : e.message;
      if (n >= ATTEMPTS)
        throw new PolicyError('prompt.attempts', who, `${reason} (${ATTEMPTS} attempts to ${step}); the ceremony is interrupted, not lost: run the plan again to resume`, { cause: e });
      ports.retrying?.({ who, reason, attempt: n + 1, of: ATTEMPTS });
      ports.say(`${who}: ${reason}. Try again (${ATTEMPTS - n} ${ATTEMPTS - n === 1 ? 'attempt' : 'attempts'} left).`);
    }
  }
}

export interface SessionPlan {
  kind: string;
  ceremony: { name: string; organization: string };
  operator: string;
  witnesses: string[];
  airgap: 'strict' | 'warn';
  /** The transcript's file name in the vault. */
  transcript: string;
}

export interface SessionOptions {
  /** SHA-256 (hex) of the plan file, recorded in the transcript. */
  planSha256: string;
  rehearsal?: boolean;
}

export interface Closing {
  ceremony: string;
  head: string;
  headWords: string[];
  /** The run only completed the closing attestations of an interrupted run (nothing else was done). */
  closedNow?: true;
}

/** Thrown inside `open` when a rerun completed an interrupted close; `run` returns it as the result. */
class ClosedNow {
  constructor(readonly closing: Closing) {}
}

/**
 * What an existing transcript allows, decided before anyone is asked anything: it must verify
 * under the roster, come from this very plan, be of the same kind of run (rehearsal or real),
 * and be neither closed nor aborted. Returns the verified report, to resume from.
 */
export function resumable(provider: CryptoProvider, existing: string, roster: VerifiedRoster, plan: SessionPlan, planSha256: string, rehearsal: boolean): TranscriptReport {
  let report;
  try {
    report = verifyTranscript(provider, existing, { publicKey: roster.publicKey });
  } catch (e) {
    if (e instanceof CustosError)
      throw new VerifyError(
        'resume.transcript',
        `vault/${plan.transcript}`,
        `the transcript of the interrupted run does not verify, so it cannot be resumed (${e.message}): move it aside with custos vault quarantine VAULT ${plan.transcript} ... and run the plan under a new transcript name; custos vault doctor VAULT lists what blocks the vault`,
        { cause: e },
      );
    throw e;
  }
  const open = report.events[0]!;
  if (open.type !== 'ceremony.open' || open.data.plan !== planSha256)
    throw new PolicyError('resume.plan', 'transcript', 'exists and was written under another plan: a ceremony resumes only under the plan it started with (or choose a new transcript name)');
  if (open.data.rehearsal !== rehearsal)
    throw new PolicyError(
      'resume.rehearsal',
      'transcript',
      `was written by a ${open.data.rehearsal ? 'rehearsal' : 'real run'} of this plan: a rehearsal and a real ceremony never continue each other; give the rehearsal a vault of its own (plan.vault)`,
    );
  if (report.closing) {
    const need = [...plan.witnesses, plan.operator];
    const have = report.closing.attestations.map((a) => a.actor);
    if (have.length >= need.length || have.some((a, i) => a !== need[i])) throw new PolicyError('resume.closed', 'transcript', 'is already closed: this ceremony is complete (a new ceremony needs a new transcript name)');
    return report;
  }
  const last = report.events.at(-1)!;
  if (last.type === 'ceremony.aborted')
    throw new PolicyError(
      'resume.aborted',
      `vault/${plan.transcript}`,
      `records an aborted ceremony (${String(last.data.code)}): nothing more happens under it; move it aside into the vault's quarantine folder with custos vault quarantine VAULT ${plan.transcript} ... and start again under a new transcript name; custos vault doctor VAULT lists it`,
    );
  return report;
}

export class Session {
  readonly ports: CeremonyPorts;
  readonly roster: VerifiedRoster;
  readonly plan: SessionPlan;
  readonly rehearsal: boolean;
  /** Events of an interrupted run that this one continues (empty for a fresh run). */
  prior: SignedEvent[] = [];
  private chain: ChainState = { ceremony: '', seq: 0, head: '' };
  private first = true;
  private operatorId: IdentitySecrets | undefined;
  private readonly planSha256: string;

  constructor(ports: CeremonyPorts, roster: VerifiedRoster, plan: SessionPlan, opts: SessionOptions) {
    this.ports = ports;
    this.roster = roster;
    this.plan = plan;
    this.rehearsal = opts.rehearsal === true;
    this.planSha256 = opts.planSha256;
    if (isDeterministic(ports.rng) && !this.rehearsal) throw new PolicyError('policy.rng', 'rng', 'a deterministic generator may only be used in a rehearsal');
    if (!/^[0-9a-f]{64}$/.test(opts.planSha256)) throw new PolicyError('plan.sha256', 'planSha256', 'must be 64 hex digits');
  }

  get ceremony(): string {
    return this.chain.ceremony;
  }
  get head(): string {
    return this.chain.head;
  }
  get resumed(): boolean {
    return this.prior.length > 0;
  }
  get operator(): IdentitySecrets {
    if (!this.operatorId) throw new PolicyError('session.closed', 'operator', 'the ceremony is not open');
    return this.operatorId;
  }

  /** The interrupted run this one continues, verified (undefined for a fresh run); refuses one that cannot be resumed (`resumable`). */
  interrupted(): TranscriptReport | undefined {
    const existing = this.ports.transcript.existing();
    return existing === undefined ? undefined : resumable(this.ports.provider, existing, this.roster, this.plan, this.planSha256, this.rehearsal);
  }

  /** Separation of duties and the air gap: checked before anything is unlocked or written. */
  preflight(assignment: Assignment): { warning?: string } {
    checkSeparation(this.roster, assignment, this.ports.clock());
    const warning = checkAirgap(this.ports.network(), this.plan.airgap);
    return warning ? { warning } : {};
  }

  /**
   * The participant unlocks their identity; it must be the one the roster enrolled (both keys).
   * A wrong passphrase or file is asked again (see `attempt`). The caller wipes it.
   */
  async unlock(id: string, purpose: string): Promise<IdentitySecrets> {
    return this.attempt(id, purpose, async () => {
      let s: IdentitySecrets;
      const presented = await this.ports.unlock(id, purpose);
      try {
        s = await openIdentity(this.ports.provider, presented.file, presented.passphrase);
      } catch (e) {
        // Whose identity it was, in the words the room hears.
        if (e instanceof CustosError && e.code === 'file.passphrase') throw new VerifyError('file.passphrase', `identity.${id}`, `the passphrase typed does not open ${id}'s identity file`, { cause: e });
        throw e;
      } finally {
        presented.file.fill(0);
      }
      const expected = this.roster.publicKey(id);
      const p = this.roster.participant(id);
      if (s.id !== id || !expected || !p || !equalBytes(this.ports.provider.ed25519PublicKey(s.signingSeed), expected) || ageRecipientOf(s.ageSecret) !== p.ageRecipient) {
        wipeIdentity(s);
        throw new PolicyError('policy.identity', id, `the identity presented is not ${id}'s enrolled identity`);
      }
      return s;
    });
  }

  /**
   * A typo never voids a ceremony: a step that failed on what a person typed or presented (a
   * wrong passphrase, two entries that differ, a passphrase too short, another person's
   * identity file) is asked again, up to ATTEMPTS times. Each failure is told to the room and,
   * once the transcript is open, recorded by the operator, without what was typed. After the
   * last attempt the run stops as an interruption: running the plan again resumes it.
   */
  async attempt<T>(who: string, step: string, fn: () => Promise<T>): Promise<T> {
    return attempt(this.ports, who, step, fn, (n, code) => {
      if (!this.first && this.operatorId) this.append(this.operatorId, 'attempt.failed', { participant: who, step, attempt: n, code });
    });
  }

  append(who: IdentitySecrets, type: string, data: { [k: string]: Json }): SignedEvent {
    const r = signEvent({ provider: this.ports.provider, clock: this.ports.clock }, this.chain, { actor: who.id, signerSeed: who.signingSeed, type, data });
    this.ports.transcript.append(r.line, this.first);
    this.first = false;
    this.chain = r.state;
    this.events.push(r.event);
    const custodian = r.event.data.custodian;
    this.ports.appended?.({ type: r.event.type, actor: r.event.actor, seq: r.event.seq, data: typeof custodian === 'string' ? { custodian } : {} });
    return r.event;
  }

  /** The events this run appended (an interrupted run's are in `prior`; `recorded` finds in both). */
  readonly events: SignedEvent[] = [];

  /** The first event of `type` that satisfies `match`, in the interrupted run or this one. */
  recorded(type: string, match: (e: SignedEvent) => boolean = () => true): SignedEvent | undefined {
    return this.prior.find((e) => e.type === type && match(e)) ?? this.events.find((e) => e.type === type && match(e));
  }

  /** The first event of `type` in this ceremony (either run); throws if there is none. */
  doneOrNow(type: string): SignedEvent {
    const e = this.prior.find((x) => x.type === type) ?? this.events.find((x) => x.type === type);
    if (!e) throw new PolicyError('session.step', type, 'this step has not happened');
    return e;
  }

  /** The first event of `type` in the interrupted run that satisfies `match`. */
  done(type: string, match: (e: SignedEvent) => boolean = () => true): SignedEvent | undefined {
    return this.prior.find((e) => e.type === type && match(e));
  }

  /** Open a fresh transcript, or continue an interrupted one. */
  async open(data: { [k: string]: Json }, warning?: string): Promise<void> {
    const { ports, plan } = this;
    const existing = ports.transcript.existing();
    this.operatorId = await this.unlock(plan.operator, 'open the ceremony');
    const common = { network: networkRecord(ports.network()), ...(warning && { warning }), app: ports.appVersion };
    if (existing === undefined) {
      this.chain = newChain(ports.rng);
      ports.say(`Ceremony "${plan.ceremony.name}" (${plan.kind})${this.rehearsal ? ' - REHEARSAL: throwaway keys' : ''}.`);
      this.append(this.operator, 'ceremony.open', {
        kind: plan.kind,
        name: plan.ceremony.name,
        organization: plan.ceremony.organization,
        plan: this.planSha256,
        roster: this.roster.fingerprint,
        operator: plan.operator,
        witnesses: plan.witnesses,
        ...data,
        ...common,
        rehearsal: this.rehearsal,
      });
      return;
    }
    const report = resumable(ports.provider, existing, this.roster, plan, this.planSha256, this.rehearsal);
    if (report.closing) {
      const need = [...plan.witnesses, plan.operator];
      const have = report.closing.attestations.map((a) => a.actor);
      // Interrupted while closing: the remaining attestations sign the same closing head.
      this.chain = report.state;
      this.first = false;
      this.prior = report.events;
      const rest: IdentitySecrets[] = [];
      try {
        for (const id of need.slice(have.length, -1)) rest.push(await this.unlock(id, 'attest the transcript'));
        for (const x of rest) this.append(x, ATTEST, { head: report.closing.head });
      } finally {
        rest.forEach(wipeIdentity);
      }
      this.append(this.operator, ATTEST, { head: report.closing.head });
      ports.say('The run was interrupted while the transcript was being closed; the remaining attestations are now signed: closed now.');
      throw new ClosedNow({ ceremony: report.ceremony, head: report.closing.head, headWords: fingerprintWords(fromHex(report.closing.head)), closedNow: true });
    }
    const last = report.events.at(-1)!;
    this.chain = report.state;
    this.first = false;
    this.prior = report.events;
    ports.say(`Resuming ceremony ${report.ceremony} after event ${last.seq} (${last.type}); steps already done are not repeated.`);
    const resumed = this.append(this.operator, 'ceremony.resumed', { after: last.seq, lastType: last.type, deviation: 'the run was interrupted; it continues from the transcript', ...common });
    const w = await this.unlock(plan.witnesses[0]!, 'countersign the interruption');
    try {
      this.append(w, 'deviation.countersigned', { event: resumed.seq });
    } finally {
      wipeIdentity(w);
    }
  }

  /** Witnesses, then the operator, attest the closing head. Every witness unlocks first. */
  async close(): Promise<Closing> {
    checkAirgap(this.ports.network(), this.plan.airgap);
    const closing = this.chain.head;
    const words = fingerprintWords(fromHex(closing));
    this.ports.readAloud?.({ label: 'Closing head', value: closing, words });
    this.ports.say(`Closing head: ${words.join(' ')}. Witnesses and operator attest it.`);
    const witnesses: IdentitySecrets[] = [];
    try {
      for (const w of this.plan.witnesses) witnesses.push(await this.unlock(w, 'attest the transcript'));
      for (const w of witnesses) this.append(w, ATTEST, { head: closing });
    } finally {
      witnesses.forEach(wipeIdentity);
    }
    this.append(this.operator, ATTEST, { head: closing });
    return { ceremony: this.chain.ceremony, head: closing, headWords: words };
  }

  /**
   * Run the ceremony body. Once the transcript is open, a refusal or failure is recorded in
   * it (what and where, never a secret), so the record says why the ceremony stopped. A
   * failure of the medium itself is not recorded (it could not be), and may be resumed.
   */
  async run<T>(body: () => Promise<T>): Promise<T> {
    try {
      return await body();
    } catch (e) {
      if (e instanceof ClosedNow) return e.closing as T; // nothing else of the ceremony ran: only its closing
      if (!this.first && this.operatorId) {
        const why = e instanceof CustosError ? { code: e.code, field: e.field, kind: e.kind } : { code: 'internal', field: '', kind: 'crypto' };
        // A medium that failed, a resume refused, or a person who cancelled or ran out of
        // attempts: the run is interrupted, not aborted, and running the plan again resumes it.
        // An unrecorded inventory file in the way: once it is moved aside, the run resumes.
        if (!why.code.startsWith('io.') && !why.code.startsWith('resume.') && !why.code.startsWith('prompt.') && why.code !== 'vault.orphan') {
          try {
            this.append(this.operatorId, 'ceremony.aborted', why);
          } catch {
            // the medium itself failed: the original error is what matters
          }
        }
      }
      throw e;
    } finally {
      if (this.operatorId) wipeIdentity(this.operatorId);
      this.operatorId = undefined;
    }
  }
}
