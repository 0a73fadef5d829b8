/**
 * Build a plan: a form for a generate ceremony whose fields are checked as they are typed (the
 * plan schema's problems shown beside the field they name), or any kind from its template in a
 * text editor checked the same way. Saved as YAML where the person chooses (main checks it again
 * and never overwrites); then it can be rehearsed or run.
 */
import { useEffect, useMemo, useState } from 'react';
import { Button, Checkbox, FieldError, Form, Input, Label, Radio, RadioGroup, Text, TextArea, TextField } from 'react-aria-components';
import { stringify } from 'yaml';
import { PLAN_KIND_NAMES, type Chosen, type Drive } from '../shared/ipc';
import { api, errorText } from './api';
import type { Screen } from './App';

interface Generate {
  name: string;
  organization: string;
  rosterFile: string;
  rosterWords: string;
  airgap: 'strict' | 'warn';
  operator: string;
  witnesses: string;
  vault: string;
  transcript: string;
  outputs: string;
  paper: string;
  label: string;
  dice: boolean;
  threshold: string;
  custodians: string;
  file: boolean;
  paperForm: boolean;
  protection: 'passphrase' | 'recipient';
}

const START: Generate = {
  name: '',
  organization: '',
  rosterFile: 'roster.json',
  rosterWords: '',
  airgap: 'strict',
  operator: '',
  witnesses: '',
  vault: '',
  transcript: 'generate.jsonl',
  outputs: '',
  paper: '',
  label: 'master',
  dice: false,
  threshold: '3',
  custodians: '',
  file: true,
  paperForm: true,
  protection: 'passphrase',
};

const list = (s: string) =>
  s
    .split(/[\s,]+/)
    .map((x) => x.trim())
    .filter(Boolean);

function toPlan(g: Generate): Record<string, unknown> {
  const forms = [...(g.file ? ['file'] : []), ...(g.paperForm ? ['paper'] : [])];
  return {
    version: 1,
    kind: 'generate',
    ceremony: { name: g.name, organization: g.organization },
    roster: { file: g.rosterFile, fingerprint: g.rosterWords.trim().toLowerCase().replace(/\s+/g, ' ') },
    airgap: g.airgap,
    operator: g.operator.trim(),
    witnesses: list(g.witnesses),
    vault: g.vault,
    transcript: g.transcript,
    outputs: { directory: g.outputs, ...(g.paper.trim() && { paper: g.paper.trim() }) },
    key: { label: g.label, dice: g.dice },
    shares: { threshold: /^\d+$/.test(g.threshold) ? Number(g.threshold) : g.threshold, custodians: list(g.custodians), forms, protection: g.protection },
  };
}

/** Which form field shows a problem of the plan at this dotted path. */
const FIELD_OF: [RegExp, keyof Generate][] = [
  [/^plan\.ceremony\.name/, 'name'],
  [/^plan\.ceremony\.organization/, 'organization'],
  [/^plan\.roster\.file/, 'rosterFile'],
  [/^plan\.roster\.fingerprint/, 'rosterWords'],
  [/^plan\.operator/, 'operator'],
  [/^plan\.witnesses/, 'witnesses'],
  [/^plan\.vault/, 'vault'],
  [/^plan\.transcript/, 'transcript'],
  [/^plan\.outputs\.directory/, 'outputs'],
  [/^plan\.outputs\.paper/, 'paper'],
  [/^plan\.key\.label/, 'label'],
  [/^plan\.shares\.threshold/, 'threshold'],
  [/^plan\.shares\.custodians/, 'custodians'],
  [/^plan\.shares\.forms/, 'paperForm'],
];

export function PlanForm({ go }: { go: (s: Screen) => void }) {
  const [mode, setMode] = useState<'generate' | 'template'>('generate');
  const [saved, setSaved] = useState<Chosen | undefined>();
  return (
    <div className="plan-form">
      <h1>Build a plan</h1>
      {saved ? (
        <div className="ending closed" role="status">
          <h2>✓ Saved as {saved.name}</h2>
          <p>Check it with the others, print it, then rehearse it with throwaway keys before the real ceremony.</p>
          <div className="buttons">
            <Button className="primary" onPress={() => go({ name: 'ceremony', plan: saved, rehearsal: true })}>
              Rehearse this plan
            </Button>
            <Button className="secondary" onPress={() => go({ name: 'ceremony', plan: saved, rehearsal: false })}>
              Run this plan for real
            </Button>
          </div>
        </div>
      ) : (
        <>
          <RadioGroup value={mode} onChange={(v) => setMode(v as 'generate' | 'template')} orientation="horizontal">
            <Label>Start from</Label>
            <Radio value="generate">A form for a new master key (generate)</Radio>
            <Radio value="template">Any kind of ceremony, from its template</Radio>
          </RadioGroup>
          {mode === 'generate' ? <GenerateForm onSaved={setSaved} /> : <TemplateEditor onSaved={setSaved} />}
        </>
      )}
    </div>
  );
}

type PlanKind = (typeof PLAN_KIND_NAMES)[number];
type Issue = { field: string; message: string };

/** The plan's problems as main's schema finds them, for the latest text typed (an older answer is dropped). */
function useIssues(text: string): Issue[] | undefined {
  const [issues, setIssues] = useState<{ text: string; issues: Issue[] } | undefined>();
  useEffect(() => {
    let current = true;
    api()
      .checkPlan(text)
      .then(
        (r) => current && setIssues({ text, issues: r }),
        (e) => current && setIssues({ text, issues: [{ field: 'plan', message: errorText(e) }] }),
      );
    return () => {
      current = false;
    };
  }, [text]);
  return issues?.text === text ? issues.issues : undefined;
}

function useSave(onSaved: (c: Chosen) => void) {
  const [error, setError] = useState('');
  const save = async (yaml: string) => {
    setError('');
    try {
      const c = await api().savePlan(yaml);
      if (c) onSaved(c);
    } catch (e) {
      setError(errorText(e));
    }
  };
  return { error, save };
}

function GenerateForm({ onSaved }: { onSaved: (c: Chosen) => void }) {
  const [g, setG] = useState<Generate>(START);
  // The vault remembered on this workstation is where its ceremonies go, unless the person says otherwise.
  useEffect(() => {
    api()
      .vault()
      .then((v) => v && setG((x) => (x.vault ? x : { ...x, vault: v.path })), () => undefined);
  }, []);
  const [touched, setTouched] = useState<Set<keyof Generate>>(new Set());
  const [submitted, setSubmitted] = useState(false);
  const { error, save } = useSave(onSaved);
  const yaml = useMemo(() => stringify(toPlan(g)), [g]);
  const checked = useIssues(yaml);
  const issues = checked ?? [];
  const byField = new Map<keyof Generate, string>();
  const elsewhere: string[] = [];
  for (const i of issues) {
    const f = FIELD_OF.find(([re]) => re.test(i.field))?.[1];
    if (f && !byField.has(f)) byField.set(f, `${i.field.replace(/^plan\./, '')}: ${i.message}`);
    else if (!f) elsewhere.push(`${i.field}: ${i.message}`);
  }
  const set = <K extends keyof Generate>(k: K) => (v: Generate[K]) => {
    setG((x) => ({ ...x, [k]: v }));
    setTouched((t) => new Set([...t, k]));
  };
  const shown = (k: keyof Generate) => (submitted || touched.has(k) ? byField.get(k) : undefined);
  const text = (k: keyof Generate, label: string, description?: string, mono = false) => (
    <TextField value={g[k] as string} onChange={set(k) as (v: string) => void} isInvalid={!!shown(k)} className="field" autoComplete="off" spellCheck="false">
      <Label>{label}</Label>
      <Input className={mono ? 'wide mono' : 'wide'} />
      {description && <Text slot="description">{description}</Text>}
      <FieldError>{shown(k)}</FieldError>
    </TextField>
  );
  return (
    <Form
      validationBehavior="aria"
      className="grid-form"
      onSubmit={(e) => {
        e.preventDefault();
        setSubmitted(true);
        if (checked && issues.length === 0) void save(yaml);
      }}
    >
      <fieldset>
        <legend>The ceremony</legend>
        {text('name', 'Ceremony name', 'Shown on every screen and in the transcript.')}
        {text('organization', 'Organization')}
        {text('operator', 'Operator (participant id)')}
        {text('witnesses', 'Witnesses (participant ids, separated by commas)', 'Never a custodian or the operator.')}
        <RadioGroup value={g.airgap} onChange={(v) => set('airgap')(v as Generate['airgap'])}>
          <Label>Air gap</Label>
          <Radio value="strict">Strict: refuse to run with a network interface up</Radio>
          <Radio value="warn">Warn: record it and go on</Radio>
        </RadioGroup>
      </fieldset>
      <fieldset>
        <legend>Roster</legend>
        {text('rosterFile', 'Roster file', 'Paths are relative to the folder the plan is saved in.')}
        {text('rosterWords', 'Roster words (the eight words on the enrollment paper)', undefined, true)}
      </fieldset>
      <fieldset>
        <legend>The key and its shares</legend>
        {text('label', 'Key label')}
        <Checkbox isSelected={g.dice} onChange={set('dice')}>
          <span className="box" aria-hidden="true" /> Custodians add dice rolls to the workstation's randomness
        </Checkbox>
        {text('custodians', 'Custodians, in order (participant ids, separated by commas)')}
        {text('threshold', 'How many custodians rebuild the key (M)', 'At least 2, at most the number of custodians.')}
        <div className="checkbox-group">
          <Checkbox isSelected={g.file} onChange={set('file')}>
            <span className="box" aria-hidden="true" /> A share file for each custodian's medium
          </Checkbox>
          <Checkbox isSelected={g.paperForm} onChange={set('paperForm')}>
            <span className="box" aria-hidden="true" /> A paper share for each custodian
          </Checkbox>
          {shown('paperForm') && <p className="field-error">{shown('paperForm')}</p>}
        </div>
        <RadioGroup value={g.protection} onChange={(v) => set('protection')(v as Generate['protection'])}>
          <Label>Share files are protected by</Label>
          <Radio value="passphrase">A passphrase each custodian chooses</Radio>
          <Radio value="recipient">The custodian's own identity (their age key in the roster)</Radio>
        </RadioGroup>
      </fieldset>
      <fieldset>
        <legend>Where things go</legend>
        <DrivePicker onOutputs={(m) => set('outputs')(m)} onPaper={(m) => set('paper')(m)} paper={g.paperForm} />
        {text('vault', 'Vault folder', 'The workstation data folder: inventories and every transcript.')}
        {text('transcript', 'Transcript file name', 'A plain name ending in .jsonl, kept in the vault.')}
        {text('outputs', 'Output folder (the custodians’ medium)')}
        {g.paperForm && text('paper', 'Paper shares folder, on a medium of its own')}
      </fieldset>
      {submitted && elsewhere.length > 0 && (
        <ul className="error" role="alert">
          {elsewhere.map((e) => (
            <li key={e}>{e}</li>
          ))}
        </ul>
      )}
      {submitted && issues.length > 0 && (
        <p className="error" role="alert">
          {issues.length} {issues.length === 1 ? 'field needs' : 'fields need'} attention before the plan can be saved.
        </p>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <Button type="submit" className="primary">
        Save the plan…
      </Button>
    </Form>
  );
}

/** The removable drives mounted now, each one press away from being the outputs' or the paper shares' medium. */
function DrivePicker({ onOutputs, onPaper, paper }: { onOutputs: (mountpoint: string) => void; onPaper: (mountpoint: string) => void; paper: boolean }) {
  const [drives, setDrives] = useState<Drive[] | undefined>();
  const look = () => {
    api().drives().then(setDrives, () => setDrives([]));
  };
  useEffect(look, []);
  return (
    <div className="drives" role="group" aria-label="Removable drives">
      <p>
        {drives === undefined ? 'Looking for removable drives…' : drives.length === 0 ? 'No removable drive is mounted. Plug one in, then look again.' : 'Removable drives mounted now:'}{' '}
        <Button className="quiet" onPress={look}>
          Look again
        </Button>
      </p>
      {drives && drives.length > 0 && (
        <ul>
          {drives.map((d) => (
            <li key={d.partition}>
              <strong>{d.model ?? d.device}</strong> ({(d.sizeBytes / 1e9).toFixed(1)} GB) at <code>{d.mountpoint}</code>{' '}
              <Button className="secondary" onPress={() => onOutputs(d.mountpoint)}>
                {`Use ${d.partition} for the custodians’ medium`}
              </Button>{' '}
              {paper && (
                <Button className="secondary" onPress={() => onPaper(d.mountpoint)}>
                  {`Use ${d.partition} for the paper shares`}
                </Button>
              )}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function TemplateEditor({ onSaved }: { onSaved: (c: Chosen) => void }) {
  const [kind, setKind] = useState<PlanKind>('generate');
  const [text, setText] = useState('');
  const { error, save } = useSave(onSaved);
  useEffect(() => {
    api()
      .planTemplate(kind)
      .then(setText, () => undefined);
  }, [kind]);
  const checked = useIssues(text);
  const issues = checked ?? [];
  return (
    <Form
      validationBehavior="aria"
      onSubmit={(e) => {
        e.preventDefault();
        if (checked && issues.length === 0) void save(text);
      }}
    >
      <RadioGroup
        value={kind}
        onChange={(v) => setKind(v as PlanKind)}
        orientation="horizontal"
        className="kinds"
      >
        <Label>Kind of ceremony</Label>
        {PLAN_KIND_NAMES.map((k) => (
          <Radio key={k} value={k}>
            {k}
          </Radio>
        ))}
      </RadioGroup>
      <TextField value={text} onChange={setText} isInvalid={issues.length > 0} className="field" spellCheck="false">
        <Label>The plan (YAML); every field is explained in its comment</Label>
        <TextArea className="wide mono editor" rows={24} />
      </TextField>
      <div role="status" aria-live="polite" className={issues.length ? 'issues' : 'issues ok'}>
        {!checked ? (
          <p>Checking…</p>
        ) : issues.length === 0 ? (
          <p>✓ The plan checks.</p>
        ) : (
          <ul>
            {issues.map((i) => (
              <li key={i.field + i.message}>
                <code>{i.field}</code>: {i.message}
              </li>
            ))}
          </ul>
        )}
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <Button type="submit" className="primary" isDisabled={!checked || issues.length > 0}>
        Save the plan…
      </Button>
    </Form>
  );
}
