/**
 * An auditor's verification as a list of checks, for the app's Verify screen: each check says
 * what it proves and passes, fails with the reason in words, or was not reached because an
 * earlier one failed (every later check rests on the ones before: a roster that is not the
 * pinned one proves nothing about the signatures it vouches for). The checks are the very
 * functions `custos verify` calls; a transcript also gets its timeline (who did what, when,
 * with which key and KCV).
 */
import { existsSync } from 'node:fs';
import { sealedTo } from '../core/age';
import { emptyVaultState, foldCeremonies, loadVaultState } from '../core/ceremony/vault';
import { isAgeFile, openShareFile, parseSharePlaintext } from '../core/shares/file';
import { describeShare, verifyShareSignature, wipeShareRecord, type ShareRecord } from '../core/shares/record';
import type { VerifiedRoster } from '../core/roster/roster';
import { directoryMedium } from './medium';
import { fromUtf8, toHex } from '../core/crypto/bytes';
import type { CryptoProvider } from '../core/crypto/provider';
import { InputError, isCustosError, PolicyError, VerifyError } from '../core/errors';
import { checkFingerprint, parseTransportKey, type TransportKey } from '../core/documents/transport';
import { verifyReceipt, type Receipt } from '../kmip/receipt';
import { verifyBackup } from '../core/backup/archive';
import { checkCeremonyTranscript } from '../core/ceremony/verify';
import { checkBundleRecipient, checkBundleRecorded, verifyBundle, type BundleManifest } from '../core/documents/bundle';
import { verifyEscrow } from '../core/documents/escrow';
import { trustRoster, type TrustedRoster } from '../core/roster/roster';
import { verifyTranscript } from '../core/transcript/transcript';
import { openRandomAccess, readChosen } from './medium';
import { presentedShareBytes } from './qr-image';
import type { AuditKind, AuditReport } from '../shared/ipc';

type AuditCheck = AuditReport['checks'][number];
type TimelineEntry = AuditReport['timeline'][number];

interface Step {
  name: string;
  run(): string;
}

/** Run the checks in order: the first failure is reported with its reason, the rest were not reached. */
function runChecks(steps: Step[]): AuditCheck[] {
  const out: AuditCheck[] = [];
  let failed = false;
  for (const s of steps) {
    if (failed) {
      out.push({ name: s.name, status: 'not-reached', detail: 'not checked: an earlier check failed' });
      continue;
    }
    try {
      out.push({ name: s.name, status: 'passed', detail: s.run() });
    } catch (e) {
      if (!isCustosError(e)) throw e;
      failed = true;
      out.push({ name: s.name, status: 'failed', detail: e.message });
    }
  }
  return out;
}

const DETAIL_KEYS = ['keyId', 'kcv', 'setId', 'threshold', 'count', 'file', 'reason'] as const;

/**
 * What a bundle is checked against besides the roster, as `custos verify bundle` takes it: the
 * transport key's fingerprint confirmed by phone, its enrollment file (trusted only through that
 * fingerprint) and the export ceremony's transcript.
 */
export interface BundlePins {
  fingerprint?: string | undefined;
  transport?: string | undefined;
  transcript?: string | undefined;
}

/**
 * Verify one file against a roster (its text) pinned by its eight words, as the CLI's `verify`
 * does, at `now` (a bundle expires): the report says when.
 */
export function audit(provider: CryptoProvider, kind: Exclude<AuditKind, 'receipt' | 'shares'>, file: string, pinned: { text: string; words: string[] }, now: Date, pins: BundlePins = {}): AuditReport {
  const given = Object.entries(pins).find(([, v]) => v !== undefined)?.[0];
  if (kind !== 'bundle' && given !== undefined) throw new InputError('audit.pins', given, `is checked against a bundle only, not a ${kind}`);
  if (pins.transport !== undefined && pins.fingerprint === undefined) throw new InputError('transport.unpinned', 'fingerprint', 'is needed with the transport key file: the enrollment file is trusted only through the fingerprint confirmed by phone');
  // A backup may be larger than memory: hashed as it is read; the other documents are small.
  const bytes = kind === 'backup' ? undefined : readChosen(file, kind);
  const sha256 = bytes ? toHex(provider.sha256(bytes)) : hashChosen(file);
  let roster: TrustedRoster | undefined;
  const facts: [string, string][] = [];
  const timeline: TimelineEntry[] = [];
  const name = (id: string) => roster?.participant(id)?.name ?? id;
  const steps: Step[] = [
    {
      name: 'The roster is the one pinned by the words written at enrollment',
      run: () => {
        roster = trustRoster(provider, pinned.text, { words: pinned.words });
        return `${roster.roster.organization}: ${roster.roster.participants.length} participants, each signed it`;
      },
    },
  ];
  if (kind === 'transcript') {
    let report: ReturnType<typeof verifyTranscript> | undefined;
    steps.push(
      {
        name: 'Every line is signed by the participant who acted, and chained to the line before',
        run: () => {
          report = verifyTranscript(provider, fromUtf8(bytes!, 'transcript'), { publicKey: roster!.publicKey });
          return `${report.events.length} events, ceremony ${report.ceremony}`;
        },
      },
      {
        name: 'A valid ceremony: people in their roles, duties separated, every step in order, closed by the witnesses and the operator',
        run: () => {
          const s = checkCeremonyTranscript(report!, roster!);
          facts.push(['Ceremony', `${s.kind} "${s.name}"${s.rehearsal ? ' (REHEARSAL)' : ''}`], ['Operator', name(s.operator)], ['Witnesses', s.witnesses.map(name).join(', ')]);
          if (s.keyId) facts.push(['Master key', `${s.keyId} ${s.kcv}`], ['Shares', `${s.threshold} of ${s.count}, set ${s.setId}`]);
          if (s.deviations) facts.push(['Interruptions', `${s.deviations}, each countersigned`]);
          facts.push(['Closing words', s.closingWords.join(' ')]);
          return `closed by ${[...s.witnesses, s.operator].map(name).join(', ')}`;
        },
      },
    );
    const checks = runChecks(steps);
    for (const e of report?.events ?? []) {
      const detail = DETAIL_KEYS.filter((k) => e.data[k] !== undefined).map((k) => `${k} ${String(e.data[k])}`);
      if (typeof e.data.custodian === 'string') detail.unshift(`custodian ${name(e.data.custodian)}`);
      timeline.push({ seq: e.seq, time: e.time, actor: e.actor, name: name(e.actor), type: e.type, detail: detail.join(', ') });
    }
    return done(kind, file, sha256, checks, facts, timeline, now);
  }
  if (kind === 'bundle' || kind === 'escrow') {
    let bundle: BundleManifest | undefined;
    steps.push({
      name: `Approved by two distinct custodians of the roster, with a well-formed manifest${kind === 'bundle' ? ', not expired' : ''}`,
      run: () => {
        const text = fromUtf8(bytes!, kind);
        const c = kind === 'bundle' ? verifyBundle(provider, text, roster!, { now }) : verifyEscrow(provider, text, roster!);
        const m = c.manifest;
        if (kind === 'bundle') bundle = m as BundleManifest;
        facts.push(['Ceremony', m.ceremony], ['Keys', m.keys.map((k) => `${k.name} ${k.kcv}`).join('; ')]);
        if ('recipient' in m) facts.push(['Recipient', `${m.recipient.server} (${m.recipient.fingerprint})`], ['Expires', m.expires]);
        if ('agent' in m) facts.push(['Escrow agent', `${m.agent.name} (${m.agent.type})`]);
        return `approved by ${c.approvers.map(name).join(' and ')}`;
      },
    });
    // The checks `custos verify bundle` adds for what it is given: the same functions.
    const fingerprint = pins.fingerprint?.trim().toLowerCase();
    if (fingerprint !== undefined)
      steps.push({
        name: 'Wrapped for the key server’s transport key pinned by its fingerprint, confirmed by phone',
        run: () => {
          checkBundleRecipient(bundle!, fingerprint);
          return `${bundle!.recipient.server}, fingerprint ${fingerprint}`;
        },
      });
    if (pins.transport !== undefined) {
      const transportFile = pins.transport;
      steps.push({
        name: 'The transport key’s enrollment file is the one that fingerprint pins',
        run: () => {
          const t = parseTransportKey(provider, readText(transportFile, 'transport'), 'transport');
          checkFingerprint(t, fingerprint!, 'transport');
          return `${t.file.server.name}, fingerprint words ${t.words.join(' ')}`;
        },
      });
    }
    if (pins.transcript !== undefined) {
      const transcriptFile = pins.transcript;
      steps.push({
        name: 'The export ceremony’s transcript records this bundle (its SHA-256) and the head the bundle names',
        run: () => {
          checkBundleRecorded(provider, readText(transcriptFile, 'transcript'), roster!, bundle!, sha256, 'transcript');
          return `ceremony ${bundle!.ceremony}, head ${bundle!.transcript.head}`;
        },
      });
    }
    return done(kind, file, sha256, runChecks(steps), facts, timeline, now);
  }
  steps.push({
    name: 'The archive is whole (its seal), and its header is approved by two distinct custodians of the roster',
    run: () => {
      const f = openRandomAccess(file, 'backup');
      try {
        const l = verifyBackup(provider, f, roster!);
        const h = l.header;
        facts.push(['Ceremony', h.ceremony], ['Made', h.created], ['Master key', `${h.masterKeyId} ${h.masterKcv}`], ['Files', h.files.map((x) => x.name).join(', ')]);
        if (h.rehearsal) facts.push(['Rehearsal', 'yes']);
        return `approved by ${l.approvers.map(name).join(' and ')}; the content is checked segment by segment when it is restored`;
      } finally {
        f.close();
      }
    },
  });
  return done(kind, file, sha256, runChecks(steps), facts, timeline, now);
}

/**
 * A key server's import receipt, as `custos verify receipt` checks it: the transport key is the
 * one pinned by the fingerprint confirmed by phone, the receipt is signed by it, and (when the
 * bundle is given) it is the receipt of that bundle.
 */
export function auditReceipt(provider: CryptoProvider, file: string, transportFile: string, fingerprint: string, bundleFile: string | undefined, now: Date, checked?: { receipt?: Receipt; transport?: TransportKey }): AuditReport {
  const bytes = readChosen(file, 'receipt');
  const sha256 = toHex(provider.sha256(bytes));
  let transport: TransportKey | undefined;
  let receipt: Receipt | undefined;
  const facts: [string, string][] = [];
  const steps: Step[] = [
    {
      name: 'The key server’s transport key is the one pinned by its fingerprint, confirmed by phone',
      run: () => {
        transport = parseTransportKey(provider, readText(transportFile, 'transport'), 'transport');
        checkFingerprint(transport, fingerprint.trim().toLowerCase(), 'transport');
        return `${transport.file.server.name}, fingerprint words ${transport.words.join(' ')}`;
      },
    },
    {
      name: 'The receipt is signed by that transport key, and well-formed',
      run: () => {
        receipt = verifyReceipt(fromUtf8(bytes, 'receipt'), transport!);
        const keys = receipt.servers.flatMap((s) => s.keys.map((k) => `${k.name} ${k.kcv} on ${s.endpoint} (uid ${k.uid}, ${k.outcome})`));
        facts.push(['Key server', receipt.transport.server], ['Keys', keys.join('; ')], ['Bundle SHA-256', receipt.bundle.sha256], ['Imported', receipt.servers.map((s) => `${s.endpoint} at ${s.time}`).join('; ')]);
        if (receipt.rehearsal) facts.push(['Rehearsal', 'yes']);
        return `${keys.length} ${keys.length === 1 ? 'key' : 'keys'} imported`;
      },
    },
  ];
  if (bundleFile !== undefined)
    steps.push({
      name: 'It is the receipt of this bundle',
      run: () => {
        const b = toHex(provider.sha256(readChosen(bundleFile, 'bundle')));
        if (b !== receipt!.bundle.sha256) throw new PolicyError('receipt.bundle', 'receipt.bundle.sha256', 'is the receipt of another bundle');
        return `the bundle's SHA-256 is ${b}`;
      },
    });
  const report = done('receipt', file, sha256, runChecks(steps), facts, [], now);
  // What the checks read and verified, for a caller that prints it (never re-read from the files).
  if (checked && report.ok) Object.assign(checked, { receipt, transport });
  return report;
}

/** The share sets issued and revoked: by the closed ceremonies of a given set of transcripts, or by every valid ceremony of a vault. */
export interface ShareSets {
  /** Each set, with whether the ceremony that issued it was a rehearsal. */
  sets: Map<string, { signer: unknown; keyId: unknown; kcv: unknown; rehearsal: boolean }>;
  revoked: Map<string, string>;
  /**
   * Where the sets and revocations are known from: a vault (every valid ceremony in it), or
   * only the transcripts given, so a revocation recorded in another ceremony is not seen.
   */
  from: 'transcripts' | 'vault';
}

/** A transcript given to `shareSetsOf`: its name (for errors) and its text. */
export interface GivenTranscript {
  name: string;
  text: string;
}

/**
 * The sets issued and revoked by `source`: each given transcript must be a closed, valid
 * ceremony (`checkCeremonyTranscript`), and they are folded by the vault's own rule (a
 * revocation counts behind a real quorum of a set they issue); or every valid ceremony of a vault.
 */
export function shareSetsOf(provider: CryptoProvider, source: { transcripts: GivenTranscript[] } | { vault: string }, roster: VerifiedRoster): ShareSets {
  const sets: ShareSets['sets'] = new Map();
  const revoked = new Map<string, string>();
  let state = emptyVaultState();
  if ('transcripts' in source) {
    if (source.transcripts.length === 0) throw new InputError('shares.transcript', '--transcript', 'give at least one transcript');
    const valid = source.transcripts.map(({ name, text }) => {
      try {
        const report = verifyTranscript(provider, text, { publicKey: roster.publicKey });
        checkCeremonyTranscript(report, roster); // shares count only from a ceremony that closed
        return { report, closed: true };
      } catch (e) {
        if (e instanceof VerifyError) throw new VerifyError(e.code, `${name}: ${e.field}`, e.detail, { cause: e });
        if (e instanceof InputError) throw new InputError(e.code, `${name}: ${e.field}`, e.detail, { cause: e });
        throw e;
      }
    });
    state.transcripts = valid.map((v, i) => ({ name: source.transcripts[i]!.name, report: v.report }));
    foldCeremonies(state, valid);
  } else {
    if (!existsSync(source.vault)) throw new InputError('vault.missing', 'vault', `${source.vault} is not a directory`);
    state = loadVaultState(provider, directoryMedium(source.vault), roster);
  }
  const rehearsal = new Map(state.transcripts.map((t) => [t.report.ceremony, t.report.events[0]?.data.rehearsal === true]));
  for (const [id, set] of state.sets) sets.set(id, { ...set, rehearsal: rehearsal.get(set.ceremony) === true });
  for (const [id, r] of state.revoked) revoked.set(id, `by ceremony ${r.ceremony} on ${r.time}`);
  return { sets, revoked, from: 'transcripts' in source ? 'transcripts' : 'vault' };
}

/** An opened share checked against the sets issued: issued, its key and signer as recorded, signed, not revoked. Returns its public facts. */
export function checkShareAgainst(provider: CryptoProvider, record: ShareRecord, s: ShareSets, field: string): ReturnType<typeof describeShare> {
  const d = describeShare(record);
  const split = s.sets.get(d.setId);
  const rehearsal = d.rehearsal ? ' (a REHEARSAL share, of a rehearsal’s throwaway key)' : '';
  if (!split) throw new VerifyError('share.set', field, `belongs to share set ${d.setId}${rehearsal}, which ${s.from === 'vault' ? 'no valid ceremony of this vault issues' : 'none of the transcripts given issues'}`);
  if (split.signer !== d.signer || split.keyId !== d.keyId || split.kcv !== d.kcv) throw new VerifyError('share.set', field, 'does not match the key, KCV or signer the transcript recorded for its set');
  if (!verifyShareSignature(provider, record)) throw new VerifyError('share.signature', field, 'is not signed by the ceremony key');
  const r = s.revoked.get(d.setId);
  if (r) throw new VerifyError('share.revoked', field, `share set ${d.setId} is revoked (${r})`);
  return d;
}

/**
 * A custodian's share, as an auditor checks it on the workstation: it opens (with its
 * passphrase, or as a paper share typed into a file), its set was issued by a valid ceremony of
 * the vault, with the key and signer recorded, it is signed, and its set is not revoked.
 */
export async function auditShare(provider: CryptoProvider, file: string, passphrase: string | undefined, vault: string, roster: VerifiedRoster & { roster: { organization: string } }, now: Date): Promise<AuditReport> {
  let bytes = readChosen(file, 'share');
  const sha256 = toHex(provider.sha256(bytes));
  const facts: [string, string][] = [];
  let sets: ShareSets | undefined;
  let record: ShareRecord | undefined;
  const name = file.split('/').at(-1)!;
  try {
    const steps: Step[] = [
      { name: 'The roster is the one pinned on this workstation', run: () => `${roster.roster.organization}: ${roster.roster.participants.length} participants` },
      {
        name: 'The vault’s valid ceremonies say which share sets were issued, and which revoked',
        run: () => {
          sets = shareSetsOf(provider, { vault }, roster);
          return `${sets.sets.size} ${sets.sets.size === 1 ? 'set' : 'sets'} issued, ${sets.revoked.size} revoked`;
        },
      },
    ];
    // Opening is asynchronous (scrypt): done before the synchronous checks, its failure reported as theirs.
    let opened: Error | undefined;
    try {
      bytes = presentedShareBytes(bytes, name).bytes; // a picture of the card: its QR code
      if (isAgeFile(bytes)) {
        if (sealedTo(bytes) === 'recipient') throw new InputError('share.recipient', name, 'opens only with its custodian’s identity: verify it with `custos verify shares`, which asks for the identity');
        if (!passphrase) throw new InputError('share.passphrase', name, 'is a passphrase-protected share file: type its passphrase');
        record = await openShareFile(provider, bytes, { passphrase });
      } else record = parseSharePlaintext(provider, bytes, name);
    } catch (e) {
      if (!isCustosError(e)) throw e;
      opened = e;
    }
    steps.push(
      {
        name: 'The share opens and is whole (its digest)',
        run: () => {
          if (opened) throw opened;
          return 'opened';
        },
      },
      {
        name: 'It belongs to a set the vault issued, with the key and signer recorded, signed by the ceremony key, and not revoked',
        run: () => {
          const d = checkShareAgainst(provider, record!, sets!, name);
          facts.push(['Share', `${d.index} of ${d.count} (any ${d.threshold} restore)`], ['Share set', d.setId], ['Master key', `${d.keyId} ${d.kcv}`]);
          return `share ${d.index} of ${d.count} of set ${d.setId}`;
        },
      },
    );
    return done('shares', file, sha256, runChecks(steps), facts, [], now);
  } finally {
    if (record) wipeShareRecord(record);
    bytes.fill(0); // a paper share typed into a file is the share in the clear
  }
}

/** SHA-256 of a chosen file, read in pieces. */
function hashChosen(file: string): string {
  const f = openRandomAccess(file, 'backup');
  try {
    return f.sha256(f.size);
  } finally {
    f.close();
  }
}

const readText = (file: string, field: string) => fromUtf8(readChosen(file, field), field);

function done(kind: AuditKind, file: string, sha256: string, checks: AuditCheck[], facts: [string, string][], timeline: TimelineEntry[], now: Date): AuditReport {
  return { kind, file, sha256, checkedAt: now.toISOString(), ok: checks.every((c) => c.status === 'passed'), checks, facts, timeline };
}
