/**
 * The ceremony wizard. The script on one side (every step with who acts; done ones ticked with
 * the time, the current one marked), the prompt pane in the middle saying who acts by name and
 * role, a hand-over card before a different person types, values to read aloud in large type,
 * long work as progress bars, the transcript as it grows, and Cancel that says the ceremony can
 * be resumed. The engine runs in its own process; this screen only shows what it reports and
 * sends what people answer.
 */
import { useEffect, useMemo, useReducer, useRef, useState } from 'react';
import { Button, Dialog, Heading, Modal, ProgressBar } from 'react-aria-components';
import type { Chosen, RunMessage, RunPrompt, RunScript, ScriptStep } from '../shared/ipc';
import { api, errorText } from './api';
import { PromptPane } from './prompts';
import { warmStrength } from './strength';

interface ReadAloudValue {
  label: string;
  value: string;
  words?: string[];
}

type Outcome = Extract<RunMessage, { type: 'end' }>['outcome'];

interface RunState {
  run?: number;
  script?: RunScript;
  done: Map<string, string>;
  prompt?: { id: number; prompt: RunPrompt };
  events: { seq: number; actor: string; type: string; time: string }[];
  /** The last narration line, and the last message refused. */
  say?: string;
  readAloud: ReadAloudValue[];
  written: Written[];
  progress?: { what: string; done: number; total: number };
  /** The step the engine says it is on, and the step where the run failed. */
  started?: string;
  failed?: string;
  /** Warnings the room must see (the air gap in warn mode), kept on screen for the whole run. */
  warnings: string[];
  refused?: string;
  end?: Outcome;
  startError?: string;
}

type Action = { type: 'started'; run: number } | { type: 'start-failed'; error: string } | { type: 'message'; m: RunMessage; at: string } | { type: 'answered' } | { type: 'restart' };

const initial = (): RunState => ({ done: new Map(), events: [], readAloud: [], written: [], warnings: [] });

type Written = Extract<RunMessage, { type: 'written' }>['file'];

function reduce(s: RunState, a: Action): RunState {
  switch (a.type) {
    case 'restart':
      return initial();
    case 'started':
      return { ...s, run: a.run };
    case 'start-failed':
      return { ...s, startError: a.error };
    case 'answered':
      return { ...s, prompt: undefined };
  }
  const m = a.m;
  if (s.run !== undefined && m.run !== s.run) return s;
  switch (m.type) {
    case 'script':
      return { ...s, script: m.script, done: new Map(m.script.done.map((id) => [id, ''])) };
    case 'prompt':
      return { ...s, prompt: { id: m.id, prompt: m.prompt }, progress: undefined };
    case 'event': {
      const done = new Map(s.done);
      if (m.event.step && s.script) {
        // A step recorded means every step before it is done too (a passphrase chosen records nothing of its own).
        const i = s.script.steps.findIndex((x) => x.id === m.event.step);
        for (const st of s.script.steps.slice(0, i + 1)) if (!done.has(st.id)) done.set(st.id, a.at);
      }
      return { ...s, done, events: [...s.events, { seq: m.event.seq, actor: m.event.actor, type: m.event.type, time: a.at }] };
    }
    case 'say':
      return { ...s, say: m.text };
    case 'read-aloud':
      return { ...s, readAloud: [...s.readAloud.filter((v) => v.label !== m.value.label), m.value] };
    case 'progress':
      return { ...s, progress: m.work };
    case 'step':
      if (m.step.state === 'started') return { ...s, started: m.step.id };
      if (m.step.state === 'failed') return { ...s, failed: m.step.id };
      return s.done.has(m.step.id) ? s : { ...s, done: new Map(s.done).set(m.step.id, a.at) };
    case 'warning':
      return s.warnings.includes(m.text) ? s : { ...s, warnings: [...s.warnings, m.text] };
    case 'written':
      return { ...s, written: [...s.written, m.file] };
    case 'refused':
      return { ...s, refused: m.reason };
    case 'end':
      return { ...s, end: m.outcome, prompt: undefined, progress: undefined };
  }
}

const now = () => new Date().toTimeString().slice(0, 5);

export function Ceremony({ plan, rehearsal, home, recheckAirGap }: { plan: Chosen; rehearsal: boolean; home: () => void; recheckAirGap: () => Promise<void> }) {
  const [s, dispatch] = useReducer(reduce, undefined, initial);
  const [attempt, setAttempt] = useState(0);
  const [handedTo, setHandedTo] = useState<string | undefined>();
  const [confirmCancel, setConfirmCancel] = useState(false);
  const identities = useRef(new Map<string, Chosen>());

  useEffect(() => api().onRun((m) => dispatch({ type: 'message', m, at: now() })), []);
  useEffect(() => warmStrength(), []); // the estimator loads its dictionaries in its worker, before anyone types
  useEffect(() => {
    dispatch({ type: 'restart' });
    setHandedTo(undefined);
    // The air gap is read again, and shown, before each ceremony starts (the engine checks it too).
    recheckAirGap()
      .then(() => api().startRun({ plan: plan.token, rehearsal }))
      .then(
        (r) => dispatch({ type: 'started', run: r.run }),
        (e) => dispatch({ type: 'start-failed', error: errorText(e) }),
      );
  }, [plan.token, rehearsal, attempt, recheckAirGap]);

  // The step the engine said it started; before it says, the first step not done.
  const current = useMemo(() => {
    const steps = s.script?.steps ?? [];
    const said = s.started !== undefined && !s.done.has(s.started) ? steps.find((st) => st.id === s.started) : undefined;
    return said ?? steps.find((st) => !s.done.has(st.id));
  }, [s.script, s.done, s.started]);
  const running = s.run !== undefined && !s.end && !s.startError;
  const who = s.prompt?.prompt.who;
  const handOver = who !== undefined && who !== handedTo;

  // Esc asks before cancelling (it never cancels by itself).
  useEffect(() => {
    if (!running) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && !e.defaultPrevented) setConfirmCancel(true);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [running]);

  const cancel = async () => {
    setConfirmCancel(false);
    if (s.run !== undefined) await api().cancelRun(s.run);
  };

  return (
    <div className="ceremony">
      <ScriptRail script={s.script} done={s.done} current={current} failed={s.end && !('closed' in s.end) ? s.failed : undefined} />
      <section className="pane" aria-live="polite">
        <h1 className="title">
          {s.script ? `${s.script.name}` : 'Starting the ceremony…'}
          {s.script && <span className="kind"> · {s.script.kind}{s.script.resuming ? ' · resumed' : ''}</span>}
        </h1>
        {s.startError && <Failure title="The ceremony could not start" message={s.startError} retry={() => setAttempt((n) => n + 1)} home={home} />}
        {s.warnings.map((w) => (
          <p key={w} className="run-warning" role="alert">
            <strong>Warning:</strong> {w}
          </p>
        ))}
        {s.readAloud.length > 0 && !(s.end && 'closed' in s.end) && <ReadAloudPanel values={s.readAloud} />}
        {s.prompt && !handOver && s.run !== undefined && (
          <PromptPane
            key={s.prompt.id}
            run={s.run}
            id={s.prompt.id}
            prompt={s.prompt.prompt}
            person={personOf(s.script, s.prompt.prompt.who, current)}
            identities={identities.current}
            onSent={() => dispatch({ type: 'answered' })}
          />
        )}
        {running && !s.prompt && <Working progress={s.progress} say={s.say} />}
        {s.refused && running && (
          <p className="warning" role="status">
            {s.refused}
          </p>
        )}
        {s.end && <Ending outcome={s.end} resume={() => setAttempt((n) => n + 1)} home={home} />}
        {s.written.length > 0 && <WrittenFiles files={s.written} />}
        {running && (
          <div className="cancel-row">
            <Button className="quiet danger" onPress={() => setConfirmCancel(true)}>
              Cancel the ceremony…
            </Button>
          </div>
        )}
      </section>
      <TranscriptPanel events={s.events} people={s.script?.people ?? {}} />
      {handOver && s.prompt && <HandOver person={personOf(s.script, s.prompt.prompt.who, current)} rehearsal={rehearsal} onReady={() => setHandedTo(who)} />}
      <Modal isOpen={confirmCancel} onOpenChange={setConfirmCancel} isDismissable className="modal">
        <Dialog className="dialog" role="alertdialog">
          <Heading slot="title">Stop the ceremony here?</Heading>
          <p>The ceremony stops here and can be resumed from this step: open the same plan again. Everything recorded so far stays in the transcript.</p>
          <div className="buttons">
            <Button className="secondary" autoFocus onPress={() => setConfirmCancel(false)}>
              Keep going
            </Button>
            <Button className="primary danger" onPress={() => void cancel()}>
              Stop here
            </Button>
          </div>
        </Dialog>
      </Modal>
    </div>
  );
}

export interface Person {
  id: string;
  name: string;
  /** "custodian 2 of 3", or the role. */
  role: string;
}

const ROLE_WORDS: Record<ScriptStep['role'], string> = { operator: 'operator', custodian: 'custodian', witness: 'witness', approver: 'approver', participant: 'participant', 'dr-officer': 'disaster-recovery officer' };

/** Who a prompt is for, by name and role: the current step if it is theirs, else their next step. */
function personOf(script: RunScript | undefined, who: string, current: ScriptStep | undefined): Person {
  const name = script?.people[who] ?? who;
  const step = current?.person === who ? current : (script?.steps.find((st) => st.person === who && st.id !== current?.id) ?? undefined);
  return { id: who, name, role: step ? (step.position ?? ROLE_WORDS[step.role]) : 'participant' };
}

function ScriptRail({ script, done, current, failed }: { script: RunScript | undefined; done: Map<string, string>; current: ScriptStep | undefined; failed: string | undefined }) {
  const rail = useRef<HTMLElement>(null);
  useEffect(() => {
    rail.current?.querySelector('[aria-current="step"]')?.scrollIntoView({ block: 'nearest' });
  }, [current?.id]);
  return (
    // Focusable, so the keyboard can scroll the script (it is taller than the screen).
    <nav className="rail" aria-label="Ceremony script" ref={rail} tabIndex={0}>
      <h2>Script</h2>
      {!script ? (
        <p>Reading the plan…</p>
      ) : (
        <ol>
          {script.steps.map((st) => {
            const isDone = done.has(st.id);
            const isFailed = !isDone && failed === st.id;
            const isCurrent = !isFailed && current?.id === st.id;
            return (
              <li key={st.id} className={isDone ? 'done' : isFailed ? 'failed' : isCurrent ? 'current' : 'later'} aria-current={isCurrent || isFailed ? 'step' : undefined}>
                <span className="mark" aria-hidden="true">
                  {isDone ? '✓' : isFailed ? '✗' : isCurrent ? '▶' : '○'}
                </span>
                <span className="step-text">
                  <span className="step-id">{st.id}</span> <strong>{st.name ?? st.person}</strong> <span className="role">({st.position ?? ROLE_WORDS[st.role]})</span>
                  <span className="action">{st.action}</span>
                  {isDone && <span className="when">{done.get(st.id) ? `done ${done.get(st.id)}` : 'done before'}</span>}
                  {isFailed && <span className="when">stopped here</span>}
                  <span className="sr-only">{isDone ? 'done' : isFailed ? 'the run stopped at this step' : isCurrent ? 'current step' : 'to do'}</span>
                </span>
              </li>
            );
          })}
        </ol>
      )}
    </nav>
  );
}

/** Before a different person types: a card that hides everything the last person saw. */
function HandOver({ person, rehearsal, onReady }: { person: Person; rehearsal: boolean; onReady: () => void }) {
  return (
    <div className={rehearsal ? 'handover rehearsal' : 'handover'} role="dialog" aria-modal="true" aria-labelledby="handover-h">
      {rehearsal && (
        <div className="rehearsal-band" role="note" aria-label="Rehearsal: throwaway keys, nothing here is real">
          REHEARSAL · throwaway keys · nothing here is real
        </div>
      )}
      <div className="handover-card">
        <p className="eyebrow">Pass the keyboard</p>
        <h2 id="handover-h">
          Hand the keyboard to {person.name}, {person.role}
        </h2>
        <p>Only {person.name} looks at the screen and types from here.</p>
        <Button className="primary big" autoFocus onPress={onReady}>
          I am {person.name}: continue
        </Button>
      </div>
    </div>
  );
}

/** A KCV as its algorithm and its bytes in pairs ("cmac-aes", "37 78 22"); undefined for anything else. */
function kcvParts(v: string): { algo: string; pairs: string } | undefined {
  const m = /^([a-z0-9-]+):\s*([0-9a-f]+)$/i.exec(v);
  return m ? { algo: m[1]!, pairs: m[2]!.match(/.{1,2}/g)!.join(' ') } : undefined;
}

/** A value grouped for reading: a KCV as "cmac-aes: 37 78 22", a long hex value in fours. */
function groupValue(v: string): string {
  const k = kcvParts(v);
  if (k) return `${k.algo}: ${k.pairs}`;
  if (/^[0-9a-f]{16,}$/i.test(v)) return v.match(/.{1,4}/g)!.join(' ');
  return v;
}

/** Fingerprint words numbered in a grid of four, for reading aloud and copying onto paper. */
export function Words({ words, label }: { words: string[]; label?: string }) {
  return (
    <ol className="word-grid" aria-label={label ?? 'Words'} data-words={words.join(' ')}>
      {words.map((w, i) => (
        <li key={i}>
          <span className="n" aria-hidden="true">
            {i + 1}
          </span>{' '}
          {w}
        </li>
      ))}
    </ol>
  );
}

/** A KCV for reading aloud: its algorithm small, its bytes large in pairs. */
function KcvValue({ value }: { value: string }) {
  const k = kcvParts(value);
  if (!k) return <p className="mono big">{value}</p>;
  return (
    <p className="kcv">
      <span className="algo">{k.algo}</span> <span className="mono big">{k.pairs}</span>
    </p>
  );
}

function ReadAloudPanel({ values }: { values: ReadAloudValue[] }) {
  const [confirmed, setConfirmed] = useState<Set<string>>(new Set());
  return (
    <section className="read-aloud" aria-label="Read aloud">
      {values.map((v) =>
        confirmed.has(v.label) ? (
          <p key={v.label} className="confirmed">
            ✓ {v.label} read aloud and compared: <span className="mono">{v.words ? v.words.join(' ') : groupValue(v.value)}</span>
          </p>
        ) : (
        <div key={v.label} className="value">
          <p className="label">Read aloud: {v.label}</p>
          {v.words ? (
            <>
              <Words words={v.words} />
              <p className="hex mono">{groupValue(v.value)}</p>
            </>
          ) : (
            <KcvValue value={v.value} />
          )}
          <Button className="secondary" onPress={() => setConfirmed(new Set([...confirmed, v.label]))}>
            {`I read the ${v.label[0]!.toLowerCase()}${v.label.slice(1)} aloud and it matches`}
          </Button>
        </div>
        ),
      )}
    </section>
  );
}

const WORK: Record<string, (done: number, total: number) => string> = {
  subsets: (_d, t) => `Checking all ${t} ways to combine the shares rebuild the key`,
  backup: (_d, t) => `Sealing ${(t / 1e6).toFixed(1)} MB into the backup`,
  restore: (_d, t) => `Writing ${(t / 1e6).toFixed(1)} MB back into the vault`,
  scrypt: () => 'Stretching a passphrase (scrypt): about a second',
};

function Working({ progress, say }: { progress: RunState['progress']; say: string | undefined }) {
  return (
    <div className="working">
      {progress ? (
        // A key derivation reports only its start and end: shown as work going on, not as a share of it.
        <ProgressBar value={progress.done} maxValue={progress.total || 1} isIndeterminate={progress.what === 'scrypt' && progress.done < progress.total} className="progress">
          {({ percentage }) => (
            <>
              <span className="progress-label">{(WORK[progress.what] ?? ((d: number, t: number) => `${d} of ${t}`))(progress.done, progress.total)}</span>
              {percentage !== undefined && <span className="progress-value">{Math.round(percentage)}%</span>}
              <div className="bar">
                <div className={percentage === undefined ? 'fill indeterminate' : 'fill'} style={percentage === undefined ? undefined : { width: `${percentage}%` }} />
              </div>
            </>
          )}
        </ProgressBar>
      ) : (
        <p className="busy">Working…</p>
      )}
      {say && <p className="narration">{say}</p>}
    </div>
  );
}

function Ending({ outcome, resume, home }: { outcome: Outcome; resume: () => void; home: () => void }) {
  if ('closed' in outcome) {
    const r = outcome.closed as { kind?: string; kcv?: string; headWords?: string[]; rosterWords?: string; closedNow?: boolean };
    const words = r.headWords?.join(' ');
    return (
      <div className="ending closed" role="status">
        <h2>✓ The ceremony is closed{r.closedNow ? ' (its close was completed now)' : ''}</h2>
        {r.rosterWords && (
          <>
            <h3>The roster's words, for the enrollment paper</h3>
            <p>Every participant writes them down and signs. Every plan and every door pins the roster by these words.</p>
            <Words words={r.rosterWords.split(' ')} label="Roster words" />
          </>
        )}
        <h3>Closing words, for the ceremony record</h3>
        <p>Every witness and the operator attested the transcript. Write the closing words on the ceremony record and sign it.</p>
        {words && <Words words={words.split(' ')} label="Closing words" />}
        {r.kcv && (
          <p>
            Master key KCV <span className="mono">{groupValue(r.kcv)}</span>
          </p>
        )}
        <Button className="primary" autoFocus onPress={home}>
          Back to home
        </Button>
      </div>
    );
  }
  if ('stopped' in outcome) return <Stopped resume={resume} home={home} />;
  return <Failure title="The ceremony stopped" message={outcome.failed.message} retry={resume} home={home} />;
}

/** A run that ended without closing: what happened, and the two ways on (again, or home). */
function Stopped({ title, message, resume, home }: { title?: string; message?: string; resume: () => void; home: () => void }) {
  const failed = message !== undefined;
  return (
    <div className={failed ? 'ending failed' : 'ending stopped'} role={failed ? 'alert' : 'status'}>
      <h2>{title ?? 'The ceremony stopped here'}</h2>
      {failed && <p className="what">{message}</p>}
      <p>
        {failed
          ? 'Nothing recorded is lost. Fix what the message names, then try again: the ceremony resumes from where it stopped.'
          : 'It can be resumed from this step: nothing recorded is lost. Resume now, or open the same plan again later.'}
      </p>
      <div className="buttons">
        <Button className="primary" autoFocus={!failed} onPress={resume}>
          {failed ? 'Try again' : 'Resume the ceremony'}
        </Button>
        <Button className="secondary" onPress={home}>
          Back to home
        </Button>
      </div>
    </div>
  );
}

const Failure = ({ title, message, retry, home }: { title: string; message: string; retry: () => void; home: () => void }) => <Stopped title={title} message={message} resume={retry} home={home} />;

const MEDIUM_WORDS: Record<Written['medium'], string> = { outputs: 'custodians’ medium', paper: 'paper shares medium', identity: 'their own medium' };

/** Every file written in this run, where it went, and the SHA-256 of what was read back from the medium. */
function WrittenFiles({ files }: { files: Written[] }) {
  const places = [...new Map(files.map((f) => [`${f.medium}\n${f.location}`, { medium: f.medium, location: f.location }])).values()];
  return (
    <section className="written" aria-labelledby="written-h">
      <h2 id="written-h">Files written, each read back and checked</h2>
      {places.map((p) => (
        <table key={`${p.medium}${p.location}`}>
          <caption>
            {MEDIUM_WORDS[p.medium]}: <code>{p.location}</code>
          </caption>
          <thead>
            <tr>
              <th scope="col">File</th>
              <th scope="col">SHA-256 of what was read back</th>
            </tr>
          </thead>
          <tbody>
            {files
              .filter((f) => f.medium === p.medium && f.location === p.location)
              .map((f) => (
                <tr key={f.name}>
                  <td>
                    <code>{f.name}</code>
                  </td>
                  <td className="sha">{groupValue(f.sha256)}</td>
                </tr>
              ))}
          </tbody>
        </table>
      ))}
    </section>
  );
}

const EVENT_WORDS: Record<string, string> = {
  'ceremony.open': 'opened the ceremony',
  'ceremony.resumed': 'resumed the ceremony',
  'deviation.countersigned': 'countersigned the interruption',
  'attempt.failed': 'recorded a failed attempt',
  'key.generated': 'generated the master key',
  'shares.split': 'split the key into shares',
  'inventory.written': 'sealed the key inventory',
  'share.issued': 'received their share',
  'share.verified': 'opened their share again',
  'quorum.share': 'presented their share',
  'quorum.share-refused': 'had a share refused',
  'quorum.unlocked': 'rebuilt the master key from the quorum',
  attest: 'attested the transcript',
  'participant.enrolled': 'enrolled',
  'roster.written': 'wrote the roster',
  'key.added': 'added keys to the inventory',
  'key.state-changed': 'changed the state of keys',
  'bundle.approved': 'approved the bundle',
  'bundle.written': 'wrote the bundle',
  'escrow.approved': 'approved the escrow',
  'escrow.written': 'wrote the escrow',
  'backup.approved': 'approved the backup',
  'backup.written': 'wrote the backup',
  'backup.verified': 'verified the backup',
  'restore.files': 'restored the vault files',
  'inventory.restored': 'restored the key inventory',
  'shares.revoked': 'revoked the old share set',
  'master.retired': 'retired the old master key',
  'import.confirmed': 'confirmed the import on the key server',
};

function TranscriptPanel({ events, people }: { events: RunState['events']; people: Record<string, string> }) {
  const list = useRef<HTMLOListElement>(null);
  useEffect(() => {
    list.current?.lastElementChild?.scrollIntoView({ block: 'nearest' });
  }, [events.length]);
  return (
    <aside className="transcript" aria-label="Transcript so far" tabIndex={0}>
      <h2>Transcript</h2>
      {events.length === 0 ? (
        <p className="muted">Nothing recorded yet in this run.</p>
      ) : (
        <ol ref={list}>
          {events.map((e) => (
            <li key={e.seq}>
              <span className="seq">{e.seq}</span> <span className="time">{e.time}</span> <strong>{people[e.actor] ?? e.actor}</strong> {EVENT_WORDS[e.type] ?? e.type}
            </li>
          ))}
        </ol>
      )}
    </aside>
  );
}
