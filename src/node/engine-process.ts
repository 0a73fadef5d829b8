/**
 * The engine process: runs one ceremony plan for the app, away from the window and from main.
 * Its synchronous fsync I/O and seconds of key derivation never freeze the screen, and the
 * master key never shares a heap with window code. It talks to its parent only in the messages
 * of engine-protocol.ts, every one checked on arrival: a prompt goes out for each question a
 * person answers, and only an answer of that prompt's id and kind is taken. In the app the
 * parent is Electron's utility process API (process.parentPort); in tests a Node child process
 * (process.send), with the same messages.
 */
import { presentedShareBytes } from './qr-image';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { InputError, isCustosError } from '../core/errors';
import type { CeremonyPorts, ApprovalSummary, Medium, ShareFileAnswer } from '../core/ceremony/ports';
import { runPlan } from '../core/ceremony/run';
import { writeNewFile } from './durable';
import { nativeProvider } from './native-provider';
import { systemClock } from './platform';
import { checkPlanFile, type CheckedPlan } from './plan-check';
import { describeSteps, doneSoFar, stepOf, type Step } from '../core/ceremony/steps';
import { planAssignment } from '../core/plan/schema';
import { planMedia, platformPorts } from './ceremony-ports';
import { readChosen } from './medium';
import { fromEngineSchema, toEngineSchema, type Answer, type FromEngine, type Prompt, type PromptKind, type Script, type WrittenFile, issueText, wipeAnswer } from './engine-protocol';

export interface ParentChannel {
  send(message: FromEngine): void;
  onMessage(listener: (message: unknown) => void): void;
}

type Waiting = { kind: PromptKind; resolve: (a: Answer) => void; reject: (e: Error) => void };

/** Bytes to text for the engine's use; the bytes are wiped. */
function text(bytes: Uint8Array): string {
  const s = new TextDecoder().decode(bytes);
  bytes.fill(0);
  return s;
}

export function serveEngine(parent: ParentChannel, done: () => void): void {
  const send = (m: FromEngine) => parent.send(fromEngineSchema.parse(m));
  const open = new Map<number, Waiting>();
  let next = 0;
  let started = false;
  /** The engine said this person's last answer failed: their next question is that try, with why. */
  let retry: { who: string; reason: string; attempt: number; of: number } | undefined;

  const ask = <K extends PromptKind>(kind: K, who: string, extra: { purpose?: string; summary?: ApprovalSummary; card?: string[]; cardPdf?: Uint8Array<ArrayBuffer> } = {}): Promise<Extract<Answer, { kind: K }>> => {
    const again = retry?.who === who ? retry : undefined;
    retry = undefined;
    const id = ++next;
    const prompt: Prompt = {
      kind,
      who,
      attempt: again?.attempt ?? 1,
      ...(again && { retry: { reason: again.reason, of: again.of } }),
      ...(extra.purpose !== undefined && { purpose: extra.purpose }),
      ...(extra.summary && { summary: extra.summary }),
      ...(extra.card && { card: extra.card }),
      ...(extra.cardPdf && { cardPdf: extra.cardPdf }),
    };
    return new Promise((resolve, reject) => {
      open.set(id, { kind, resolve: resolve as (a: Answer) => void, reject });
      send({ type: 'prompt', id, prompt });
    });
  };
  const twice = (a: { passphrase: Uint8Array; again: Uint8Array }, field: string): string => {
    const [x, y] = [text(a.passphrase), text(a.again)];
    if (x !== y) throw new InputError('prompt.mismatch', field, 'the two passphrases differ');
    return x;
  };

  parent.onMessage((raw) => {
    const parsed = toEngineSchema.safeParse(raw);
    if (!parsed.success) {
      wipeAnswer((raw as { answer?: unknown } | undefined)?.answer);
      return send({ type: 'refused', reason: `malformed message: ${issueText(parsed.error.issues[0])}` });
    }
    const m = parsed.data;
    if (m.type === 'start') {
      if (started) return send({ type: 'refused', reason: 'a ceremony is already running in this process' });
      started = true;
      void run(m.plan, m.rehearsal, m.appVersion, m.workFactor).finally(done);
      return;
    }
    const waiting = open.get(m.id);
    if (!waiting) {
      if (m.type === 'answer') wipeAnswer(m.answer);
      return send({ type: 'refused', reason: `no open prompt ${m.id}` });
    }
    if (m.type === 'cancel') {
      open.delete(m.id);
      return waiting.reject(new InputError('prompt.cancelled', 'prompt', 'was cancelled: the ceremony is interrupted, not lost; start it again to resume'));
    }
    if (m.answer.kind !== waiting.kind) {
      wipeAnswer(m.answer);
      return send({ type: 'refused', reason: `prompt ${m.id} asks for ${waiting.kind}, not ${m.answer.kind}` });
    }
    open.delete(m.id);
    waiting.resolve(m.answer);
  });

  async function run(planFile: string, rehearsal: boolean, appVersion: string, workFactor: number | undefined): Promise<void> {
    let progress: StepProgress | undefined;
    try {
      const checked = checkPlanFile(nativeProvider, planFile, systemClock());
      if (workFactor !== undefined && !rehearsal) throw new InputError('engine.workFactor', 'workFactor', 'may only be lowered in a rehearsal');
      const steps = describeSteps(checked.plan, checked.roster);
      const script = scriptOf(checked, steps, rehearsal);
      send({ type: 'script', script });
      progress = new StepProgress(steps, script.done, (step) => send({ type: 'step', step }));
      const platform = platformPorts(planMedia(checked, appVersion, (t) => send({ type: 'say', text: t })));
      const report = (medium: WrittenFile['medium'], location: string, name: string, sha256: string) => send({ type: 'written', file: { medium, location, name, sha256 } });
      const ports: CeremonyPorts = {
        ...platform,
        outputs: reporting(platform.outputs, 'outputs', report),
        ...(platform.paper && { paper: reporting(platform.paper, 'paper', report) }),
        appended: (e) => {
          const step = stepOf(steps, e)?.id;
          send({ type: 'event', event: { type: e.type, actor: e.actor, seq: e.seq, ...(step !== undefined && { step }) } });
          if (step !== undefined) progress?.completed(step);
        },
        progress: (work) => send({ type: 'progress', work }),
        warn: (t) => send({ type: 'warning', text: t }),
        retrying: (r) => void (retry = r),
        readAloud: (value) => send({ type: 'read-aloud', value }),
        async unlock(who, purpose) {
          const a = await ask('unlock', who, { purpose });
          return { file: readChosen(a.identityFile, `identity.${who}`, 'identity file'), passphrase: text(a.passphrase) };
        },
        async review(who, summary) {
          return (await ask('review', who, { summary })).approve;
        },
        async chooseIdentityPassphrase(who) {
          return twice(await ask('choose-identity-passphrase', who), `identity.${who}`);
        },
        async saveIdentity(who, bytes) {
          const folder = (await ask('save-identity', who)).folder;
          const file = path.join(folder, `${who}.identity.age`);
          const sha256 = writeNewFile(file, bytes);
          report('identity', folder, path.basename(file), sha256);
          return { location: file, sha256 };
        },
        async choosePassphrase(who) {
          return twice(await ask('choose-passphrase', who), `sharePassphrase.${who}`);
        },
        async reenterPassphrase(who) {
          return text((await ask('reenter-passphrase', who)).passphrase);
        },
        async dice(who) {
          return (await ask('dice', who)).rolls;
        },
        async showShare(who, card, cardPdf) {
          const copy = cardPdf?.slice(); // the engine wipes its own bytes; this copy goes to main
          try {
            const a = await ask('show-share', who, { card, ...(copy && { cardPdf: copy }) });
            return { printed: a.printed === true };
          } finally {
            copy?.fill(0);
          }
        },
        async shareFile(who): Promise<ShareFileAnswer> {
          const a = await ask('share', who);
          const camera = a.camera ? { camera: true as const } : {};
          if ('typed' in a) return { bytes: new TextEncoder().encode(a.typed), label: `paper share of ${who}, typed`, via: 'typed', ...camera };
          if ('scanned' in a) return { bytes: new TextEncoder().encode(a.scanned), label: `QR code of ${who}'s card, read by the camera`, via: 'camera', ...camera };
          const { bytes, image } = presentedShareBytes(readChosen(a.file, `share.${who}`, 'share file'), `share.${who}`);
          if (image) {
            a.passphrase?.fill(0); // a picture has none
            return { bytes, label: `QR code of ${who}'s card, read from the picture ${path.basename(a.file)}`, via: 'picture', ...camera };
          }
          return { bytes, ...(a.passphrase && { passphrase: text(a.passphrase) }), label: `share file ${path.basename(a.file)} of ${who}`, via: 'file', ...camera };
        },
      };
      const result = await runPlan(ports, checked.plan, checked.roster, { planSha256: checked.planSha256, rehearsal, ...(workFactor !== undefined && { workFactor }) });
      send({ type: 'done', result: { rehearsal, ...result } });
    } catch (e) {
      progress?.failed();
      if (!isCustosError(e)) {
        send({ type: 'failed', error: { kind: 'internal', code: 'internal', field: '', message: e instanceof Error ? e.message : String(e) } });
        return;
      }
      send({ type: 'failed', error: { kind: e.kind, code: e.code, field: e.field, message: e.message } });
    } finally {
      for (const w of open.values()) w.reject(new InputError('engine.stopped', 'engine', 'the ceremony stopped'));
      open.clear();
    }
  }
}

/** Where the run is in its script: the first step not done is the one started; a failure is that step's. */
class StepProgress {
  private readonly finished: Set<string>;
  private current: string | undefined;

  constructor(
    private readonly steps: Step[],
    done: string[],
    private readonly send: (step: { id: string; state: 'started' | 'done' | 'failed' }) => void,
  ) {
    this.finished = new Set(done);
    this.next();
  }

  completed(id: string): void {
    if (this.finished.has(id)) return;
    this.finished.add(id);
    this.send({ id, state: 'done' });
    this.next();
  }

  failed(): void {
    if (this.current !== undefined) this.send({ id: this.current, state: 'failed' });
  }

  private next(): void {
    const s = this.steps.find((x) => !this.finished.has(x.id));
    if (s === undefined || s.id === this.current) return;
    this.current = s.id;
    this.send({ id: s.id, state: 'started' });
  }
}

/** The script the window shows: every step, those an interrupted run already did, everyone's name. */
function scriptOf(checked: CheckedPlan, steps: Step[], rehearsal: boolean): Script {
  const { plan, roster } = checked;
  const a = planAssignment(plan);
  const ids = new Set([a.operator, ...a.custodians, ...a.witnesses, ...(a.approvers ?? []), ...(a.requester ? [a.requester] : []), ...steps.map((s) => s.person)]);
  const people = Object.fromEntries([...ids].map((id) => [id, steps.find((s) => s.person === id)?.name ?? roster?.participant(id)?.name ?? id]));
  const existing = checked.resuming ? readFileSync(checked.transcriptFile, 'utf8') : undefined;
  return {
    kind: plan.kind,
    name: plan.ceremony.name,
    organization: plan.ceremony.organization,
    rehearsal,
    resuming: checked.resuming,
    steps,
    done: doneSoFar(steps, existing),
    people,
  };
}

/** A medium that tells the window of each file once it is written and read back. */
function reporting(m: Medium, medium: WrittenFile['medium'], report: (medium: WrittenFile['medium'], location: string, name: string, sha256: string) => void): Medium {
  return {
    ...m,
    write(name, bytes) {
      const sha256 = m.write(name, bytes);
      report(medium, m.location, name, sha256);
      return sha256;
    },
    create(name) {
      const w = m.create(name);
      return {
        write: (b) => w.write(b),
        digest: () => w.digest(),
        abort: () => w.abort(),
        commit() {
          const sha256 = w.commit();
          report(medium, m.location, name, sha256);
          return sha256;
        },
      };
    },
  };
}

/** The entry point: Electron's utility process (parentPort) or a Node child process (IPC channel). */
interface ElectronParentPort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (e: { data: unknown }) => void): void;
}
const electronParent = (process as unknown as { parentPort?: ElectronParentPort }).parentPort;
if (electronParent) {
  serveEngine({ send: (m) => electronParent.postMessage(m), onMessage: (l) => electronParent.on('message', (e) => l(e.data)) }, () => process.exit(0));
} else if (process.send && process.env.CUSTOS_ENGINE_CHILD === '1') {
  serveEngine({ send: (m) => process.send!(m), onMessage: (l) => process.on('message', l) }, () => process.disconnect?.());
}
