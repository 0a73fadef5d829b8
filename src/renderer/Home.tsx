/**
 * Home: the vault (chosen once, remembered) and its roster pinned by the words on the
 * enrollment paper, what blocks the vault, and the ways in: run or rehearse a plan, resume one,
 * build a plan, enroll, verify.
 */
import { DocumentView, type ShownDocument } from './DocumentView';
import { useEffect, useState } from 'react';
import { Button, FieldError, Form, Input, Label, TextField } from 'react-aria-components';
import type { Chosen, VaultView } from '../shared/ipc';
import { api, errorText } from './api';
import type { Screen } from './App';
import { Words } from './Ceremony';

export function Home({ go }: { go: (s: Screen) => void }) {
  const [vault, setVault] = useState<VaultView | undefined | 'loading'>('loading');
  const [error, setError] = useState('');
  useEffect(() => {
    api()
      .vault()
      .then(setVault, (e) => {
        setVault(undefined);
        setError(errorText(e));
      });
  }, []);
  const [script, setScript] = useState<ShownDocument | undefined>();
  /** The script of a plan, printed before its ceremony: read aloud, ticked and initialled as it goes. */
  const printScript = async () => {
    setError('');
    try {
      const plan: Chosen | undefined = await api().choose('plan');
      if (!plan) return;
      const d = await api().document({ kind: 'script', plan: plan.token });
      setScript({ title: `${d.title}: ${plan.name}`, pdf: d.pdf, id: d.id, sha256: d.sha256 });
    } catch (e) {
      setError(errorText(e));
    }
  };
  const start = async (rehearsal: boolean) => {
    setError('');
    try {
      const plan: Chosen | undefined = await api().choose('plan');
      if (plan) go({ name: 'ceremony', plan, rehearsal });
    } catch (e) {
      setError(errorText(e));
    }
  };
  return (
    <div className="home">
      <h1>Home</h1>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <VaultPanel vault={vault} setVault={setVault} resume={(rehearsal) => void start(rehearsal)} />
      <section className="actions" aria-labelledby="actions-h">
        <h2 id="actions-h">What are we doing today?</h2>
        <div className="cards">
          <ActionCard title="Run a ceremony" text="Open the plan file prepared for today. An interrupted ceremony resumes where it stopped when its plan is opened again." action="Open a plan and start" onPress={() => void start(false)} primary />
          <ActionCard title="Rehearse" text="Walk through a plan with throwaway keys and its own vault. Every screen is marked REHEARSAL." action="Open a plan and rehearse" onPress={() => void start(true)} />
          <ActionCard title="Enroll people" text="Each person in turn creates their own identity on their own medium and signs the roster. Open an enroll plan." action="Open an enroll plan" onPress={() => void start(false)} />
          <ActionCard title="Build a plan" text="Fill in a generate plan with checks as you type, or start any kind from its template, and save it as YAML." action="Build a plan" onPress={() => go({ name: 'plan' })} />
          <ActionCard title="Print a ceremony script" text="Before the ceremony: every step of a plan with who acts and what they check, a box and an initials line, an exceptions sheet and signatures." action="Open a plan and print its script" onPress={() => void printScript()} />
          <ActionCard title="Verify (auditors)" text="Check a transcript, bundle, backup or escrow manifest against the pinned roster: every check listed with its reason, and print the report." action="Verify a file" onPress={() => go({ name: 'verify' })} />
        </div>
      </section>
      {script && <DocumentView doc={script} onClose={() => setScript(undefined)} />}
    </div>
  );
}

function ActionCard({ title, text, action, onPress, primary }: { title: string; text: string; action: string; onPress: () => void; primary?: boolean }) {
  return (
    <div className="card">
      <h3>{title}</h3>
      <p>{text}</p>
      <Button className={primary ? 'primary' : 'secondary'} onPress={onPress}>
        {action}
      </Button>
    </div>
  );
}

function VaultPanel({ vault, setVault, resume }: { vault: VaultView | undefined | 'loading'; setVault: (v: VaultView | undefined) => void; resume: (rehearsal: boolean) => void }) {
  const [error, setError] = useState('');
  const choose = async () => {
    setError('');
    try {
      const v = await api().chooseVault();
      if (v) setVault(v);
    } catch (e) {
      setError(errorText(e));
    }
  };
  if (vault === 'loading') return <section className="vault">Reading the vault…</section>;
  return (
    <section className="vault" aria-labelledby="vault-h">
      <h2 id="vault-h">Vault</h2>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {!vault ? (
        <p>
          No vault folder chosen yet. The vault is the workstation's data folder: rosters, sealed inventories and every ceremony transcript.{' '}
          <Button className="secondary" onPress={() => void choose()}>
            Choose the vault folder
          </Button>
        </p>
      ) : (
        <>
          <p className="path">
            <span className="label">Folder</span> <code>{vault.path}</code>{' '}
            <Button className="quiet" onPress={() => void choose()}>
              Choose another
            </Button>
          </p>
          {vault.pinned ? <PinnedRoster pinned={vault.pinned} /> : <PinForm vault={vault} setVault={setVault} />}
          {vault.problem && (
            <p className="error" role="alert">
              The ceremonies of this vault could not be read: {vault.problem}
            </p>
          )}
          {vault.pinned && vault.findings.some((f) => f.status === 'interrupted') && (
            <div className="resume" role="region" aria-label="Interrupted ceremonies">
              <h3>Interrupted: resume where it stopped</h3>
              <ul>
                {vault.findings
                  .filter((f) => f.status === 'interrupted')
                  .map((f) => (
                    <li key={f.file}>
                      <strong>{f.file}</strong>: {f.why}{' '}
                      <Button className="primary" onPress={() => resume(f.rehearsal === true)}>
                        {`Open the plan of ${f.file} and resume…`}
                      </Button>
                    </li>
                  ))}
              </ul>
              <p className="hint">Choose the plan file this ceremony was started from: the transcript names its SHA-256, so another plan is refused before anyone is asked. Done steps are not done again.</p>
            </div>
          )}
          {vault.pinned && (
            <div className="ceremonies">
              <p>
                {vault.closed.length} closed {vault.closed.length === 1 ? 'ceremony' : 'ceremonies'}
                {vault.closed.length > 0 && `: ${vault.closed.join(', ')}`}
              </p>
              {vault.findings.some((f) => f.status !== 'interrupted') && (
                <div className="findings" role="region" aria-label="What the vault doctor found">
                  <h3>Needs attention</h3>
                  <ul>
                    {vault.findings
                      .filter((f) => f.status !== 'interrupted')
                      .map((f) => (
                      <li key={f.file}>
                        <strong>{f.file}</strong> ({f.status}): {f.why}
                        <br />
                        <span className="todo">What to do: {f.todo}</span>
                      </li>
                    ))}
                  </ul>
                </div>
              )}
            </div>
          )}
        </>
      )}
    </section>
  );
}

function PinnedRoster({ pinned }: { pinned: NonNullable<VaultView['pinned']> }) {
  return (
    <div className="roster">
      <p>
        <span className="label">Pinned roster</span> {pinned.organization}
        {pinned.rehearsal && <strong className="tag"> rehearsal roster</strong>}
      </p>
      <Words words={pinned.words} label="Roster fingerprint words" />
      <table className="people">
        <caption>Participants</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Id</th>
            <th scope="col">Roles</th>
            <th scope="col">Enrolled until</th>
          </tr>
        </thead>
        <tbody>
          {pinned.participants.map((p) => (
            <tr key={p.id}>
              <td>{p.name}</td>
              <td>
                <code>{p.id}</code>
              </td>
              <td>{p.roles.join(', ')}</td>
              <td>{p.expires.slice(0, 10)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function PinForm({ vault, setVault }: { vault: VaultView; setVault: (v: VaultView) => void }) {
  const [words, setWords] = useState('');
  const [error, setError] = useState('');
  const pin = async () => {
    setError('');
    try {
      setVault(await api().pinRoster(words));
    } catch (e) {
      setError(errorText(e));
    }
  };
  return (
    <Form
      validationBehavior="aria"
      className="pin"
      onSubmit={(e) => {
        e.preventDefault();
        void pin();
      }}
    >
      <p>
        {vault.pinMissing ? 'The roster words remembered match no roster this vault keeps. ' : ''}
        This vault keeps {vault.rosters} {vault.rosters === 1 ? 'roster' : 'rosters'}. A roster proves nothing by itself: type the eight words written on the enrollment paper to pin it.
      </p>
      <TextField value={words} onChange={setWords} isInvalid={error !== ''} autoComplete="off" spellCheck="false">
        <Label>Roster words, from the enrollment paper</Label>
        <Input className="wide mono" />
        <FieldError>{error}</FieldError>
      </TextField>
      <Button type="submit" className="primary">
        Pin this roster
      </Button>
    </Form>
  );
}
