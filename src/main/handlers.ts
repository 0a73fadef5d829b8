/** The window's methods, made from main's parts (dialogs, network, runs, settings); electron stays in main.ts. */
import path from 'node:path';
import { liveInterfaces, type NetworkState } from '../core/ceremony/network';
import type { CryptoProvider } from '../core/crypto/provider';
import { InputError } from '../core/errors';
import { parsePlan, planTextIssues } from '../core/plan/schema';
import { planTemplate } from '../core/plan/templates';
import { checkTypedLine } from '../core/shares/text';
import { fromUtf8 } from '../core/crypto/bytes';
import { parseRosterWords, rosterToText, type VerifiedRoster } from '../core/roster/roster';
import { audit, auditReceipt, auditShare } from '../node/audit';
import { writeNewFile } from '../node/durable';
import { readChosen } from '../node/medium';
import { pinnedVaultRoster, vaultView } from '../node/vault-view';
import type { AboutInfo, ChoiceKind, Drive, VaultView } from '../shared/ipc';
import type { Choices } from './choices';
import type { Handlers } from './ipc';
import type { Runs } from './runs';
import type { SettingsStore } from './settings';

export function appHandlers(deps: {
  about(): AboutInfo;
  /** Main's open dialog: the path the person chose, or undefined. */
  dialog(kind: ChoiceKind): Promise<string | undefined>;
  /** Main's save dialog for a plan: the path the person chose, or undefined. */
  saveDialog(): Promise<string | undefined>;
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
    checkShareLine: async (n, text) => checkTypedLine(deps.provider, n, text, 'card'),
    savePlan: async (yaml) => {
      parsePlan(yaml); // a plan that does not check is refused before any dialog, naming its field
      const file = await deps.saveDialog();
      if (file === undefined) return undefined;
      writeNewFile(file, new TextEncoder().encode(yaml));
      return deps.choices.add('plan', file);
    },
    verify: async (req) => {
      // A share's passphrase is decoded and its bytes wiped before anything else can fail.
      const passphrase = req.kind === 'shares' && req.passphrase ? new TextDecoder().decode(req.passphrase) : undefined;
      if (req.kind === 'shares') req.passphrase?.fill(0);
      const file = deps.choices.resolve(req.file, 'document');
      if (!file) throw new InputError('choice.unknown', 'file', 'was not chosen in this window');
      if (req.kind === 'shares') {
        const { roster, vault } = vaultRoster();
        return auditShare(deps.provider, file, passphrase, vault, roster);
      }
      if (req.kind === 'receipt') {
        const transport = deps.choices.resolve(req.transport, 'document');
        if (!transport) throw new InputError('choice.unknown', 'transport', 'was not chosen in this window');
        const bundle = req.bundle === undefined ? undefined : deps.choices.resolve(req.bundle, 'document');
        if (req.bundle !== undefined && !bundle) throw new InputError('choice.unknown', 'bundle', 'was not chosen in this window');
        return auditReceipt(deps.provider, file, transport, req.fingerprint, bundle);
      }
      if (req.roster === 'vault') {
        const { roster, words } = vaultRoster();
        return audit(deps.provider, req.kind, file, { text: rosterToText(roster.roster), words });
      }
      const f = deps.choices.resolve(req.roster.file, 'roster');
      if (!f) throw new InputError('choice.unknown', 'roster', 'was not chosen in this window');
      return audit(deps.provider, req.kind, file, { text: fromUtf8(readChosen(f, 'roster', 'roster file'), 'roster'), words: parseRosterWords(req.roster.words, 'roster words') });
    },
    startRun: (opts) => deps.runs.start(opts),
    answer: (run, id, answer) => deps.runs.answer(run, id, answer),
    cancelRun: (run) => deps.runs.cancel(run),
  };
}
