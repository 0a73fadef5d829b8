/** The window's methods, made from main's parts (dialogs, network, runs, settings); electron stays in main.ts. */
import path from 'node:path';
import { liveInterfaces, type NetworkState } from '../core/ceremony/network';
import type { CryptoProvider } from '../core/crypto/provider';
import { InputError, VerifyError } from '../core/errors';
import { parsePlan, planTextIssues } from '../core/plan/schema';
import { planTemplate } from '../core/plan/templates';
import { checkTypedLine, textToShare } from '../core/shares/text';
import { describeShare, verifyShareSignature, wipeShareRecord } from '../core/shares/record';
import { fromUtf8, toHex } from '../core/crypto/bytes';
import { parseRosterWords, rosterToText, trustRoster, type VerifiedRoster } from '../core/roster/roster';
import type { Input } from '../core/paper/reports';
import { auditPdf, receiptInputs, receiptPdf, rosterInput, scriptPdf, transcriptPdf } from '../node/paper';
import { audit, auditReceipt, auditShare } from '../node/audit';
import { writeNewFile } from '../node/durable';
import { readChosen } from '../node/medium';
import { pinnedVaultRoster, vaultView } from '../node/vault-view';
import type { AboutInfo, AuditReport, ChoiceKind, DocumentRequest, Drive, RosterRef, VaultView, VerifyRequest } from '../shared/ipc';
import type { Choices } from './choices';
import type { Handlers } from './ipc';
import type { Runs } from './runs';
import type { SettingsStore } from './settings';

export function appHandlers(deps: {
  about(): AboutInfo;
  /** Main's open dialog: the path the person chose, or undefined. */
  dialog(kind: ChoiceKind): Promise<string | undefined>;
  /** Main's save dialog for a plan or a printed document (named by default `name`): the path the person chose, or undefined. */
  saveDialog(what: 'plan' | 'document', name?: string): Promise<string | undefined>;
  /** The system print dialog for what the window shows for print. */
  print(): Promise<{ printed: boolean; reason?: string }>;
  /** Open or close the camera's gate (src/main/security.ts CameraGate). */
  camera(open: boolean): void;
  network(): NetworkState;
  drives(): Drive[];
  clock(): Date;
  provider: CryptoProvider;
  settings: SettingsStore;
  choices: Choices;
  runs: Runs;
}): Handlers {
  const s = deps.settings;
  const view = (): VaultView | undefined => {
    const { vault, rosterWords } = s.get();
    return vault === undefined ? undefined : vaultView(deps.provider, vault, rosterWords);
  };
  /** The vault's roster pinned by the words remembered, verified, with its vault and words. */
  const vaultRoster = (): { roster: VerifiedRoster; vault: string; words: string[] } => {
    const { vault, rosterWords } = s.get();
    if (!vault || !rosterWords) throw new InputError('roster.unpinned', 'roster', 'no roster is pinned in this app: choose the vault and type the roster words from the enrollment paper on the home screen, or choose a roster file and type its words');
    const r = pinnedVaultRoster(deps.provider, vault, rosterWords);
    if (!r) throw new InputError('roster.unpinned', 'roster', 'the vault no longer keeps the roster pinned by the words remembered: pin it again on the home screen');
    return { roster: r, vault, words: rosterWords };
  };
  const resolve = (token: string, kind: ChoiceKind, field: string): string => {
    const f = deps.choices.resolve(token, kind);
    if (!f) throw new InputError('choice.unknown', field, 'was not chosen in this window');
    return f;
  };
  /** A roster to verify against: the vault's pinned one, or a chosen file with the words typed from its paper. */
  const rosterOf = (ref: RosterRef): { text: string; words: string[]; name: string } => {
    if (ref === 'vault') {
      const { roster, words } = vaultRoster();
      return { text: rosterToText(roster.roster), words, name: 'the vault’s pinned roster' };
    }
    const f = resolve(ref.file, 'roster', 'roster');
    return { text: fromUtf8(readChosen(f, 'roster', 'roster file'), 'roster'), words: parseRosterWords(ref.words, 'roster words'), name: path.basename(f) };
  };
  /** A receipt's files: the receipt, the transport key's enrollment and the bundle it answers (if given). */
  const receiptFiles = (req: { file: string; transport: string; bundle?: string | undefined }) => ({
    file: resolve(req.file, 'document', 'file'),
    transport: resolve(req.transport, 'document', 'transport'),
    bundle: req.bundle === undefined ? undefined : resolve(req.bundle, 'document', 'bundle'),
  });
  /**
   * A verification, and the inputs its printed report lists besides the file (the roster and the
   * words that pinned it, or the receipt's transport key and bundle): each token resolved and the
   * roster read once, for both.
   */
  const verified = async (req: VerifyRequest): Promise<{ report: AuditReport; inputs: () => Input[] }> => {
    // A share's passphrase is decoded and its bytes wiped before anything else can fail.
    const passphrase = req.kind === 'shares' && req.passphrase ? new TextDecoder().decode(req.passphrase) : undefined;
    if (req.kind === 'shares') req.passphrase?.fill(0);
    if (req.kind === 'receipt') {
      const f = receiptFiles(req);
      return { report: auditReceipt(deps.provider, f.file, f.transport, req.fingerprint, f.bundle, deps.clock()), inputs: () => receiptInputs(deps.provider, f.transport, f.bundle) };
    }
    const file = resolve(req.file, 'document', 'file');
    if (req.kind === 'shares') {
      const { roster, vault } = vaultRoster();
      return { report: await auditShare(deps.provider, file, passphrase, vault, roster, deps.clock()), inputs: () => [] };
    }
    const r = rosterOf(req.roster);
    return {
      report: audit(deps.provider, req.kind, file, { text: r.text, words: r.words }, deps.clock()),
      inputs: () => [{ ...rosterInput(deps.provider, r.text, r.name), name: `${r.name}, pinned by the words ${r.words.join(' ')}` }],
    };
  };
  const rendered = new Map<string, { title: string; name: string; pdf: Uint8Array }>();
  let documentCount = 0;
  const renderDocument = async (spec: DocumentRequest): Promise<{ title: string; name: string; pdf: Uint8Array }> => {
    if (spec.kind === 'script') {
      const plan = resolve(spec.plan, 'plan', 'plan');
      return { title: 'Ceremony script', name: `${path.basename(plan).replace(/\.ya?ml$/, '')}.script.pdf`, pdf: await scriptPdf(deps.provider, plan, deps.clock()) };
    }
    if (spec.kind === 'transcript') {
      const file = resolve(spec.file, 'document', 'file');
      const r = rosterOf(spec.roster);
      const roster = trustRoster(deps.provider, r.text, { words: r.words });
      return { title: 'Transcript report', name: `${path.basename(file).replace(/\.jsonl$/, '')}.report.pdf`, pdf: await transcriptPdf(deps.provider, file, roster) };
    }
    if (spec.kind === 'receipt') {
      const f = receiptFiles(spec);
      return { title: 'Import receipt', name: `${path.basename(f.file).replace(/\.json$/, '')}.pdf`, pdf: await receiptPdf(deps.provider, f.file, f.transport, spec.fingerprint, f.bundle, deps.clock()) };
    }
    const { report, inputs } = await verified(spec.verify);
    return { title: 'Verification report', name: `${path.basename(report.file)}.verification.pdf`, pdf: await auditPdf(report, inputs()) };
  };
  return {
    about: () => deps.about(),
    drives: () => deps.drives(),
    airGap: () => ({ live: liveInterfaces(deps.network()).map((i) => i.name), checkedAt: deps.clock().toISOString() }),
    choose: async (kind) => {
      const file = await deps.dialog(kind);
      return file === undefined ? undefined : deps.choices.add(kind, file);
    },
    vault: async () => view(),
    chooseVault: async () => {
      const dir = await deps.dialog('folder');
      if (dir === undefined) return undefined;
      s.set({ vault: path.resolve(dir) });
      return view();
    },
    pinRoster: async (text) => {
      const words = parseRosterWords(text, 'roster words');
      const { vault } = s.get();
      if (!vault) throw new InputError('vault.unset', 'vault', 'choose the vault folder first');
      if (!pinnedVaultRoster(deps.provider, vault, words))
        throw new InputError('roster.pin', 'roster words', 'differ from the words of every roster this vault keeps: check them against the enrollment paper (nothing was pinned)');
      s.set({ rosterWords: words });
      return view()!;
    },
    planTemplate: async (kind) => planTemplate(kind),
    checkPlan: async (text) => planTextIssues(text),
    checkShareLine: async (n, text, versions) => checkTypedLine(deps.provider, n, text, 'card', versions),
    checkShareCard: async (text) => {
      const r = textToShare(deps.provider, text, 'card');
      try {
        if (!verifyShareSignature(deps.provider, r)) throw new VerifyError('share.signature', 'card.signature', 'is not the signature of the key the card names: the card is damaged or altered');
        const d = describeShare(r);
        return { index: d.index, count: d.count, threshold: d.threshold, setId: d.setId, kcv: d.kcv };
      } finally {
        wipeShareRecord(r);
      }
    },
    savePlan: async (yaml) => {
      parsePlan(yaml); // a plan that does not check is refused before any dialog, naming its field
      const file = await deps.saveDialog('plan');
      if (file === undefined) return undefined;
      writeNewFile(file, new TextEncoder().encode(yaml));
      return deps.choices.add('plan', file);
    },
    verify: async (req) => (await verified(req)).report,
    document: async (spec) => {
      const d = await renderDocument(spec);
      const id = `doc-${++documentCount}`;
      rendered.set(id, d);
      if (rendered.size > 8) rendered.delete(rendered.keys().next().value!); // the last few only
      return { id, ...d, sha256: toHex(deps.provider.sha256(d.pdf)) };
    },
    saveDocument: async (id) => {
      const d = rendered.get(id);
      if (!d) throw new InputError('document.unknown', 'document', 'was not rendered in this window (render it again)');
      const file = await deps.saveDialog('document', d.name);
      if (file === undefined) return undefined;
      return { name: path.basename(file), sha256: writeNewFile(file, d.pdf) };
    },
    print: async () => {
      const r = await deps.print();
      if (r.printed) deps.runs.notePrinted();
      return r;
    },
    camera: async (open) => {
      // Only the share prompt may open the camera; its gate closes when that prompt goes (main.ts).
      if (open && deps.runs.openPrompt() !== 'share') throw new InputError('camera.closed', 'camera', 'opens only while a custodian is asked for their share');
      deps.camera(open);
      if (open) deps.runs.noteCamera();
    },
    startRun: (opts) => deps.runs.start(opts),
    answer: (run, id, answer) => deps.runs.answer(run, id, answer),
    cancelRun: (run) => deps.runs.cancel(run),
  };
}
