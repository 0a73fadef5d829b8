/**
 * Verify, for auditors: a transcript, bundle, backup or escrow manifest checked against the
 * roster pinned by its words (the vault's, or a roster file with the words from the paper).
 * Every check is listed, passed or failed with the reason in words, or not reached; a
 * transcript shows its timeline.
 */
import { useState } from 'react';
import { DocumentView, type ShownDocument } from './DocumentView';
import { Button, Form, Input, Label, Radio, RadioGroup, TextField } from 'react-aria-components';
import { AUDIT_KINDS, type AuditKind, type AuditReport, type Chosen, type DocumentRequest, type VerifyRequest } from '../shared/ipc';
import { api, errorText, toBytes, wipeAnswer } from './api';

const KIND_WORDS: Record<AuditKind, string> = { transcript: 'A ceremony transcript', bundle: 'A key bundle', backup: 'A vault backup', escrow: 'An escrow manifest', receipt: 'A key server’s import receipt', shares: 'A custodian’s share' };

export function Verify() {
  const [kind, setKind] = useState<AuditKind>('transcript');
  const [file, setFile] = useState<Chosen | undefined>();
  const [rosterFrom, setRosterFrom] = useState<'vault' | 'file'>('vault');
  const [roster, setRoster] = useState<Chosen | undefined>();
  const [words, setWords] = useState('');
  const [transport, setTransport] = useState<Chosen | undefined>();
  const [fingerprint, setFingerprint] = useState('');
  const [bundle, setBundle] = useState<Chosen | undefined>();
  const [sharePass, setSharePass] = useState('');
  // The report and what it may print as (worked out once; a share's request, passphrase and all, is not kept).
  const [verified, setVerified] = useState<{ report: AuditReport; printable: ReturnType<typeof printableAs> } | undefined>();
  const [error, setError] = useState('');
  const report = verified?.report;
  const printable = verified?.printable ?? [];
  const [doc, setDoc] = useState<ShownDocument | undefined>();
  const render = async (spec: DocumentRequest) => {
    setError('');
    try {
      const d = await api().document(spec);
      setDoc({ title: d.title, pdf: d.pdf, id: d.id, sha256: d.sha256 });
    } catch (e) {
      setError(errorText(e));
    }
  };
  const pick = (k: 'document' | 'roster', set: (c: Chosen) => void) => {
    setError('');
    api()
      .choose(k)
      .then((c) => c && set(c), (e) => setError(errorText(e)));
  };
  const verify = async () => {
    setError('');
    setVerified(undefined);
    setDoc(undefined);
    if (!file) return;
    setSharePass(''); // the passphrase leaves as bytes and the field is emptied
    const request: VerifyRequest =
      kind === 'receipt'
        ? { kind, file: file.token, transport: transport?.token ?? '', fingerprint, ...(bundle && { bundle: bundle.token }) }
        : kind === 'shares'
          ? { kind, file: file.token, ...(sharePass && { passphrase: toBytes(sharePass) }) }
          : { kind, file: file.token, roster: rosterFrom === 'vault' ? 'vault' : { file: roster?.token ?? '', words } };
    try {
      const report = await api().verify(request);
      setVerified({ report, printable: printableAs(request, report) });
    } catch (e) {
      setError(errorText(e));
    } finally {
      wipeAnswer(request);
    }
  };
  return (
    <div className="verify">
      <h1>Verify</h1>
      <Form
        validationBehavior="aria"
        onSubmit={(e) => {
          e.preventDefault();
          void verify();
        }}
      >
        <RadioGroup
          value={kind}
          onChange={(v) => {
            setKind(v as AuditKind);
            setSharePass(''); // a passphrase typed for a share does not wait for another kind
          }}
          orientation="horizontal"
        >
          <Label>What are you verifying?</Label>
          {AUDIT_KINDS.map((k) => (
            <Radio key={k} value={k}>
              {KIND_WORDS[k]}
            </Radio>
          ))}
        </RadioGroup>
        <div className="choose">
          <Button className="secondary" onPress={() => pick('document', setFile)}>
            Choose the file
          </Button>
          <span className="chosen">{file ? `Chosen: ${file.name}` : 'Nothing chosen yet'}</span>
        </div>
        {kind === 'shares' ? (
          <>
            <p>The share is checked against this workstation’s vault and its pinned roster: which sets its ceremonies issued, and which they revoked.</p>
            <TextField type="password" value={sharePass} onChange={setSharePass} autoComplete="off" spellCheck="false" className="field">
              <Label>Its passphrase, typed by its custodian (empty for a paper share typed into a file)</Label>
              <Input className="wide" />
            </TextField>
          </>
        ) : kind === 'receipt' ? (
          <>
            <div className="choose">
              <Button className="secondary" onPress={() => pick('document', setTransport)}>
                Choose the transport key enrollment
              </Button>
              <span className="chosen">{transport ? `Chosen: ${transport.name}` : 'Nothing chosen yet'}</span>
            </div>
            <TextField value={fingerprint} onChange={setFingerprint} autoComplete="off" spellCheck="false" className="field">
              <Label>Its fingerprint, as confirmed by phone (64 hex digits)</Label>
              <Input className="wide mono" />
            </TextField>
            <div className="choose">
              <Button className="secondary" onPress={() => pick('document', setBundle)}>
                Choose the bundle it answers (optional)
              </Button>
              <span className="chosen">{bundle ? `Chosen: ${bundle.name}` : 'No bundle: the receipt is checked alone'}</span>
            </div>
          </>
        ) : (
        <RadioGroup value={rosterFrom} onChange={(v) => setRosterFrom(v as 'vault' | 'file')}>
          <Label>Which roster vouches for the people in it?</Label>
          <Radio value="vault">The roster pinned on this workstation's home screen</Radio>
          <Radio value="file">A roster file, pinned by the words on its enrollment paper</Radio>
        </RadioGroup>
        )}
        {kind !== 'receipt' && kind !== 'shares' && rosterFrom === 'file' && (
          <>
            <div className="choose">
              <Button className="secondary" onPress={() => pick('roster', setRoster)}>
                Choose the roster file
              </Button>
              <span className="chosen">{roster ? `Chosen: ${roster.name}` : 'Nothing chosen yet'}</span>
            </div>
            <TextField value={words} onChange={setWords} autoComplete="off" spellCheck="false" className="field">
              <Label>The eight roster words, from the enrollment paper</Label>
              <Input className="wide mono" />
            </TextField>
          </>
        )}
        <Button type="submit" className="primary" isDisabled={!file || (kind === 'receipt' ? !transport || !fingerprint.trim() : kind !== 'shares' && rosterFrom === 'file' && (!roster || !words.trim()))}>
          Verify
        </Button>
      </Form>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {report && <Report report={report} />}
      {printable.length > 0 && (
        <div className="buttons">
          {printable.map((x) => (
            <Button key={x.label} className="secondary" onPress={() => void render(x.spec)}>
              {x.label}
            </Button>
          ))}
        </div>
      )}
      {doc && <DocumentView doc={doc} onClose={() => setDoc(undefined)} />}
    </div>
  );
}

const MARK = { passed: '✓', failed: '✗', 'not-reached': '–' } as const;
const STATUS_WORDS = { passed: 'Passed', failed: 'Failed', 'not-reached': 'Not checked' } as const;

/** The documents a verification prints as: its report; a verified transcript's or receipt's own document too. A share's is not (its passphrase is gone). */
function printableAs(request: VerifyRequest, r: AuditReport): { label: string; spec: DocumentRequest }[] {
  if (request.kind === 'shares') return [];
  const specs: { label: string; spec: DocumentRequest }[] = [{ label: 'Print the verification report', spec: { kind: 'audit', verify: request } }];
  if (r.ok && request.kind === 'transcript') specs.push({ label: 'Print the transcript report', spec: { kind: 'transcript', file: request.file, roster: request.roster } });
  if (r.ok && request.kind === 'receipt') {
    const { file, transport, fingerprint, bundle } = request;
    specs.push({ label: 'Print the import receipt', spec: { kind: 'receipt', file, transport, fingerprint, ...(bundle && { bundle }) } });
  }
  return specs;
}

function Report({ report }: { report: AuditReport }) {
  return (
    <section className="report" aria-labelledby="report-h">
      <h2 id="report-h" className={report.ok ? 'ok' : 'bad'}>
        {report.ok ? `✓ ${report.file.split('/').at(-1)} is verified` : `✗ ${report.file.split('/').at(-1)} is NOT verified`}
      </h2>
      <p className="mono small">SHA-256 {report.sha256}</p>
      <ol className="checks">
        {report.checks.map((c) => (
          <li key={c.name} className={c.status}>
            <span className="mark" aria-hidden="true">
              {MARK[c.status]}
            </span>
            <span>
              <strong>{STATUS_WORDS[c.status]}:</strong> {c.name}
              <br />
              <span className="detail">{c.detail}</span>
            </span>
          </li>
        ))}
      </ol>
      {report.facts.length > 0 && (
        <table className="facts">
          <caption>What the file says, now verified</caption>
          <tbody>
            {report.facts.map(([k, v]) => (
              <tr key={k}>
                <th scope="row">{k}</th>
                <td>{v}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {report.timeline.length > 0 && (
        <table className="timeline">
          <caption>Timeline: who did what, when</caption>
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">Time (UTC)</th>
              <th scope="col">Who</th>
              <th scope="col">What</th>
              <th scope="col">Details</th>
            </tr>
          </thead>
          <tbody>
            {report.timeline.map((e) => (
              <tr key={e.seq}>
                <td>{e.seq}</td>
                <td>{e.time.replace('T', ' ').slice(0, 19)}</td>
                <td>{e.name}</td>
                <td>{e.type}</td>
                <td className="mono small">{e.detail}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
