/**
 * What one person answers, one prompt at a time: the prompt names them by name and role, says
 * what to do and what to check, and, after a failed try, what went wrong and how many tries
 * remain. Passphrases are typed into fields that never show their text; they leave as bytes
 * and the field is emptied at once (the whole form goes with the prompt). Files are chosen in
 * main's dialog and known here only by name and token.
 */
import { useEffect, useMemo, useState } from 'react';
import { Button, FieldError, Form, Input, Label, Meter, Radio, RadioGroup, Text, TextArea, TextField } from 'react-aria-components';
import { MIN_DICE_ROLLS, SHARE_CARD_LINES as TEXT_LINES, type Chosen, type Drive, type RunPrompt, type UiAnswer } from '../shared/ipc';
import { api, errorText, toBytes, wipeAnswer } from './api';
import type { Person } from './Ceremony';
import { strength, type Strength } from './strength';
import { DocumentView } from './DocumentView';
import { CameraScan } from './CameraScan';

interface Props {
  run: number;
  id: number;
  prompt: RunPrompt;
  person: Person;
  /** Identity files chosen earlier in this run, by person: asked once, offered again. */
  identities: Map<string, Chosen>;
  onSent: () => void;
}

export function PromptPane(p: Props) {
  const { prompt, person } = p;
  const [error, setError] = useState('');
  const send = async (answer: UiAnswer): Promise<boolean> => {
    setError('');
    try {
      const ok = await api().answer(p.run, p.id, answer);
      if (ok) p.onSent();
      else setError('The answer was not taken: it names a file not chosen here, or the question has moved on.');
      return ok;
    } catch (e) {
      setError(errorText(e));
      return false;
    } finally {
      wipeAnswer(answer); // main got a copy: the window's bytes go now
    }
  };
  return (
    <section className="prompt" aria-labelledby="prompt-h" data-kind={prompt.kind} data-who={person.id} data-attempt={prompt.attempt}>
      <p className="who">
        {person.name} <span className="role">({person.role})</span>
      </p>
      <h2 id="prompt-h">{HEADINGS[prompt.kind](person.name)}</h2>
      {prompt.purpose && <p className="purpose">To {prompt.purpose}.</p>}
      {prompt.retry && (
        <p className="retry" role="alert">
          {prompt.retry.reason.charAt(0).toUpperCase() + prompt.retry.reason.slice(1)}. This is try {prompt.attempt} of {prompt.retry.of}.
        </p>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <Body {...p} send={send} />
    </section>
  );
}

const HEADINGS: Record<RunPrompt['kind'], (name: string) => string> = {
  unlock: (n) => `${n}, unlock your identity`,
  review: (n) => `${n}, read what you are asked to approve`,
  'choose-identity-passphrase': (n) => `${n}, choose the passphrase of your new identity`,
  'save-identity': (n) => `${n}, choose where your identity file goes`,
  'choose-passphrase': (n) => `${n}, choose the passphrase of your share file`,
  'reenter-passphrase': (n) => `${n}, type your share passphrase again`,
  dice: (n) => `${n}, type your dice rolls`,
  share: (n) => `${n}, present your share`,
  'show-share': (n) => `${n}, check your paper share`,
};

type BodyProps = Props & { send: (a: UiAnswer) => Promise<boolean> };

function Body(p: BodyProps) {
  switch (p.prompt.kind) {
    case 'unlock':
      return <Unlock {...p} />;
    case 'review':
      return <Review {...p} />;
    case 'choose-identity-passphrase':
    case 'choose-passphrase':
      return <ChooseTwice {...p} kind={p.prompt.kind} />;
    case 'reenter-passphrase':
      return <Reenter {...p} />;
    case 'save-identity':
      return <SaveIdentity {...p} />;
    case 'dice':
      return <Dice {...p} />;
    case 'share':
      return <Share {...p} />;
    case 'show-share':
      return <ShowShare {...p} />;
  }
}

function Secret({ label, value, onChange, autoFocus, description, error }: { label: string; value: string; onChange: (v: string) => void; autoFocus?: boolean; description?: string; error?: string }) {
  return (
    <TextField type="password" value={value} onChange={onChange} autoFocus={autoFocus} isInvalid={!!error} autoComplete="off" spellCheck="false" className="field">
      <Label>{label}</Label>
      <Input className="wide" />
      {description && <Text slot="description">{description}</Text>}
      <FieldError>{error}</FieldError>
    </TextField>
  );
}

function ChooseFile({ kind, label, chosen, setChosen }: { kind: 'identity' | 'share' | 'folder'; label: string; chosen: Chosen | undefined; setChosen: (c: Chosen) => void }) {
  const [error, setError] = useState('');
  return (
    <div className="choose">
      <Button
        className="secondary"
        onPress={() => {
          setError('');
          api()
            .choose(kind)
            .then((c) => c && setChosen(c), (e) => setError(errorText(e)));
        }}
      >
        {label}
      </Button>
      <span className="chosen" aria-live="polite">
        {chosen ? `Chosen: ${chosen.name}` : 'Nothing chosen yet'}
      </span>
      {error && <span className="error">{error}</span>}
    </div>
  );
}

function Unlock(p: BodyProps) {
  const [file, setFile] = useState<Chosen | undefined>(p.identities.get(p.person.id));
  const [pass, setPass] = useState('');
  return (
    <Form
      validationBehavior="aria"
      onSubmit={(e) => {
        e.preventDefault();
        if (!file || !pass) return;
        const bytes = toBytes(pass);
        setPass('');
        p.identities.set(p.person.id, file);
        void p.send({ kind: 'unlock', identityFile: file.token, passphrase: bytes });
      }}
    >
      <ChooseFile kind="identity" label="Choose your identity file" chosen={file} setChosen={setFile} />
      <Secret label="Your identity passphrase" value={pass} onChange={setPass} autoFocus={!!file} description="Only you type it. It is never shown." />
      <Button type="submit" className="primary" isDisabled={!file || !pass}>
        Unlock my identity
      </Button>
    </Form>
  );
}

function Review(p: BodyProps) {
  const s = p.prompt.summary;
  return (
    <div className="review">
      <div className="summary" role="region" aria-label="What is signed">
        <h3>{s?.title ?? 'Approval'}</h3>
        <ul className="mono">
          {(s?.lines ?? []).map((l, i) => (
            <li key={i}>{l}</li>
          ))}
        </ul>
      </div>
      <p>Check every line aloud with the others. Approving signs exactly this summary; your identity passphrase is asked next.</p>
      <div className="buttons">
        <Button className="primary" onPress={() => void p.send({ kind: 'review', approve: true })}>
          {approveLabel(s?.title)}
        </Button>
        <Button className="secondary danger" onPress={() => void p.send({ kind: 'review', approve: false })}>
          Refuse
        </Button>
      </div>
    </div>
  );
}

/** The approve button says what is approved: "Approve a backup of the vault: ...". */
const approveLabel = (title: string | undefined) => (!title ? 'Approve' : /^approve\b/i.test(title) ? title : `Approve: ${title}`);

function StrengthMeter({ value, context }: { value: string; context: string[] }) {
  // Only the estimate is kept (never the passphrase); one for an older text is dropped.
  const [s, setEstimate] = useState<Strength | undefined>();
  const words = context.join('\n');
  useEffect(() => {
    let current = true;
    setEstimate(undefined);
    if (value) void strength(value, words.split('\n')).then((x) => current && setEstimate(x));
    return () => {
      current = false;
    };
  }, [value, words]);
  return (
    <Meter value={s ? s.score : 0} maxValue={4} className={`strength s${s?.score ?? 0}`} aria-label="Passphrase strength">
      {() => (
        <>
          <span className="strength-label">Strength: {s ? s.label : 'type a passphrase'}</span>
          <div className="bar" aria-hidden="true">
            <div className="fill" style={{ width: `${s ? ((s.score + 1) / 5) * 100 : 0}%` }} />
          </div>
          {s && (s.warning || s.suggestions.length > 0) && <span className="strength-advice">{[s.warning, ...s.suggestions].filter(Boolean).join(' ')}</span>}
        </>
      )}
    </Meter>
  );
}

function ChooseTwice(p: BodyProps & { kind: 'choose-identity-passphrase' | 'choose-passphrase' }) {
  const [a, setA] = useState('');
  const [b, setB] = useState('');
  const differ = b !== '' && a !== b;
  const what = p.kind === 'choose-passphrase' ? 'share file' : 'identity';
  return (
    <Form
      validationBehavior="aria"
      onSubmit={(e) => {
        e.preventDefault();
        if (!a || a !== b) return;
        const [x, y] = [toBytes(a), toBytes(b)];
        setA('');
        setB('');
        void p.send({ kind: p.kind, passphrase: x, again: y });
      }}
    >
      <p>A passphrase only you know: several unusual words are easier to remember and harder to guess than a short password. Nobody else may see it or write it down for you.</p>
      <Secret label={`New passphrase of your ${what}`} value={a} onChange={setA} autoFocus />
      <StrengthMeter value={a} context={[p.person.id, p.person.name, 'custos']} />
      <Secret label="The same passphrase again" value={b} onChange={setB} error={differ ? 'The two passphrases differ: type the second one again.' : undefined} />
      <Button type="submit" className="primary" isDisabled={!a || a !== b}>
        Set my passphrase
      </Button>
    </Form>
  );
}

function Reenter(p: BodyProps) {
  const [a, setA] = useState('');
  return (
    <Form
      validationBehavior="aria"
      onSubmit={(e) => {
        e.preventDefault();
        if (!a) return;
        const x = toBytes(a);
        setA('');
        void p.send({ kind: 'reenter-passphrase', passphrase: x });
      }}
    >
      <p>Your share file is opened with it now, to prove you can open it on the day it is needed.</p>
      <Secret label="Your share passphrase" value={a} onChange={setA} autoFocus />
      <Button type="submit" className="primary" isDisabled={!a}>
        Open my share
      </Button>
    </Form>
  );
}

function SaveIdentity(p: BodyProps) {
  const [folder, setFolder] = useState<Chosen | undefined>();
  const [drives, setDrives] = useState<Drive[] | undefined>();
  useEffect(() => {
    api().drives().then(setDrives, () => setDrives([]));
  }, []);
  return (
    <div>
      <p>Your identity file goes to your own medium (a USB stick you keep), never beside anyone else's. It is written, then read back and checked.</p>
      {drives && (
        <p className="drives">
          {drives.length === 0 ? 'No removable drive is mounted.' : `Removable drives mounted: ${drives.map((d) => `${d.model ?? d.device} at ${d.mountpoint}`).join('; ')}.`}
        </p>
      )}
      <ChooseFile kind="folder" label="Choose the folder on your medium" chosen={folder} setChosen={setFolder} />
      <Button className="primary" isDisabled={!folder} onPress={() => folder && void p.send({ kind: 'save-identity', folder: folder.token })}>
        Write my identity file there
      </Button>
    </div>
  );
}

function Dice(p: BodyProps) {
  const [rolls, setRolls] = useState('');
  const digits = rolls.replace(/\s/g, '');
  const bad = /[^1-6]/.test(digits);
  return (
    <Form
      validationBehavior="aria"
      onSubmit={(e) => {
        e.preventDefault();
        if (bad) return;
        void p.send({ kind: 'dice', rolls: digits });
      }}
    >
      <TextField value={rolls} onChange={setRolls} isInvalid={bad} autoFocus className="field">
        <Label>Your dice rolls, digits 1 to 6 (spaces are ignored)</Label>
        <TextArea className="wide mono" rows={3} />
        <Text slot="description">{digits.length} rolls typed; at least {MIN_DICE_ROLLS} are needed.</Text>
        <FieldError>Only the digits 1 to 6: a die has no other face.</FieldError>
      </TextField>
      <Button type="submit" className="primary" isDisabled={bad}>
        Use my rolls
      </Button>
    </Form>
  );
}

function Share(p: BodyProps) {
  const [how, setHow] = useState<'file' | 'paper' | 'camera'>('file');
  const [file, setFile] = useState<Chosen | undefined>();
  const [pass, setPass] = useState('');
  return (
    <div>
      <RadioGroup value={how} onChange={(v) => setHow(v as 'file' | 'paper' | 'camera')} orientation="horizontal" className="how">
        <Label>How do you bring your share?</Label>
        <Radio value="file">A share file, or a picture of my card</Radio>
        <Radio value="paper">My paper card, typed</Radio>
        <Radio value="camera">My paper card, shown to the camera</Radio>
      </RadioGroup>
      {how === 'file' ? (
        <Form
          validationBehavior="aria"
          onSubmit={(e) => {
            e.preventDefault();
            if (!file) return;
            const bytes = pass ? toBytes(pass) : undefined;
            setPass('');
            void p.send({ kind: 'share', file: file.token, ...(bytes && { passphrase: bytes }) });
          }}
        >
          <ChooseFile kind="share" label="Choose your share file, or a picture (PNG, JPEG) of your card's QR code" chosen={file} setChosen={setFile} />
          <Secret label="Its passphrase" value={pass} onChange={setPass} description="Leave it empty if your share file opens with your identity (you will unlock it next), or for a picture of your card." />
          <Button type="submit" className="primary" isDisabled={!file}>
            Present my share
          </Button>
        </Form>
      ) : how === 'camera' ? (
        <CameraScan onCode={(scanned) => void p.send({ kind: 'share', scanned })} />
      ) : (
        <PaperCard send={p.send} />
      )}
    </div>
  );
}

/**
 * A custodian's own paper share, shown only after they ask for it (everyone else looks away),
 * to compare with their printed card or copy by hand; hidden and forgotten when they are done.
 */
function ShowShare(p: BodyProps) {
  const [shown, setShown] = useState(false);
  const [printed, setPrinted] = useState(false);
  const card = p.prompt.card ?? [];
  const pdf = p.prompt.cardPdf;
  const cardDoc = useMemo(() => (pdf ? { title: `${p.person.name}'s share card`, pdf } : undefined), [pdf, p.person.name]);
  // The card's bytes go with the moment: when it is answered, or the run ends or is cancelled.
  useEffect(() => () => void pdf?.fill(0), [pdf]);
  // Whether it was printed, main says (its print dialog); the window only says the person is done.
  const done = () => void p.send({ kind: 'show-share', seen: true });
  return (
    <div>
      <p>
        Your share of the key, as it is on your paper card. Only {p.person.name} looks at the screen. Compare it line by line with your printed card (or copy it by hand, with its line
        checks), then hide it.
      </p>
      {shown ? (
        <>
          <div className="share-card" aria-label="Your paper share">
            {card
              .filter((l) => !/^\d{2} /.test(l))
              .map((l) => (
                <p key={l} className="card-header mono">
                  {l}
                </p>
              ))}
            <pre className="mono">{card.filter((l) => /^\d{2} /.test(l)).join('\n')}</pre>
          </div>
          {cardDoc && (
            <DocumentView
              doc={cardDoc}
              secret
              printLabel={printed ? 'Print it again…' : 'Print my share card…'}
              onPrinted={(ok) => ok && setPrinted(true)}
            />
          )}
          <Button className="primary" autoFocus onPress={done}>
            {printed ? 'My card is printed and checked: hide it' : 'I have checked my paper share: hide it'}
          </Button>
        </>
      ) : (
        <div className="buttons">
          <Button className="primary" autoFocus onPress={() => setShown(true)}>
            Show my paper share
          </Button>
          <Button className="secondary" onPress={done}>
            I have my printed card: go on without showing it
          </Button>
        </div>
      )}
    </div>
  );
}

/** A paper share typed line by line, each line checked the moment it is complete; nothing is corrected. */
function PaperCard({ send }: { send: BodyProps['send'] }) {
  const [lines, setLines] = useState<string[]>([]);
  // The card versions the lines so far agree with: the first line that tells settles the card's.
  const [versions, setVersions] = useState<(1 | 2)[]>([1, 2]);
  const [typing, setTyping] = useState('');
  const [error, setError] = useState('');
  const n = lines.length + 1;
  const accept = async () => {
    try {
      const checked = await api().checkShareLine(n, typing, versions);
      setLines([...lines, checked.line]);
      setVersions(checked.versions);
      setTyping('');
      setError('');
    } catch (e) {
      setError(errorText(e));
    }
  };
  if (lines.length === TEXT_LINES)
    return (
      <WholeCard
        text={lines.join('\n') + '\n'}
        send={send}
        again={() => {
          setLines([]);
          setVersions([1, 2]);
        }}
      />
    );
  return (
    <Form
      validationBehavior="aria"
      onSubmit={(e) => {
        e.preventDefault();
        void accept();
      }}
    >
      <TextField
        value={typing}
        onChange={(v) => {
          setTyping(v);
          setError('');
        }}
        isInvalid={!!error} autoFocus autoComplete="off" spellCheck="false" className="field">
        <Label>{`Line ${String(n).padStart(2, '0')} of ${TEXT_LINES}, as printed (number, groups, check)`}</Label>
        <Input className="wide mono" />
        <Text slot="description">{lines.length} lines accepted.</Text>
        <FieldError>{error}</FieldError>
      </TextField>
      <div className="buttons">
        <Button type="submit" className="primary" isDisabled={!typing.trim()}>
          Check this line
        </Button>
        {lines.length > 0 && (
          <Button
            className="secondary"
            onPress={() => {
              setLines([]);
              setVersions([1, 2]);
              setTyping('');
              setError('');
            }}
          >
            Start the card again
          </Button>
        )}
      </div>
    </Form>
  );
}

/** The card typed whole: checked at once against its digest and the signature of the key it names, its public fields shown before it is presented. */
function WholeCard({ text, send, again }: { text: string; send: BodyProps['send']; again: () => void }) {
  const [checked, setChecked] = useState<Awaited<ReturnType<ReturnType<typeof api>['checkShareCard']>> | undefined>();
  const [error, setError] = useState('');
  useEffect(() => {
    api()
      .checkShareCard(text)
      .then(setChecked, (e) => setError(errorText(e)));
  }, [text]);
  return (
    <div>
      <p>All {TEXT_LINES} lines typed, each checked.</p>
      {checked && (
        <p role="status" className="checked">
          The card is whole (its digest and signature): share {checked.index} of {checked.count}, any {checked.threshold} restore, set {checked.setId.slice(0, 8)}…, key <span className="mono">{checked.kcv}</span>. The quorum checks it belongs to the set on record.
        </p>
      )}
      {error && (
        <p className="error" role="alert">
          {error}. Type the card again, slowly, line by line.
        </p>
      )}
      <div className="buttons">
        <Button className="primary" autoFocus isDisabled={!checked} onPress={() => void send({ kind: 'share', typed: text })}>
          Present my paper share
        </Button>
        <Button className="secondary" onPress={again}>
          Start the card again
        </Button>
      </div>
    </div>
  );
}
