/**
 * backup (dual control) and restore (quorum, into an empty vault).
 *
 * A backup needs no master key: the inventory is already sealed, and the archive's content key
 * is sealed to the inventory's backup recipient, whose identity only a quorum can derive. Two
 * custodians approve and sign the archive. A restore verifies the archive and its approvals,
 * rebuilds the master key from M shares of a set the backup names (and does not list as
 * revoked), decrypts every segment, checks every file's SHA-256, writes them to the empty
 * vault, then opens the inventory (hash recorded in the transcripts, MAC, generation) and
 * unwraps every key to check its KCV.
 */
import { PolicyError, VerifyError } from '../errors';
import { concat, fromUtf8, toHex, wipe, fromHex } from '../crypto/bytes';
import { backupSecret, unwrapInventoryKey } from '../inventory/inventory';
import type { PlanOf } from '../plan/schema';
import { planAssignment } from '../plan/schema';
import { ageIdentityString, wipeIdentity, type IdentitySecrets } from '../roster/identity';
import { verifyRoster, type VerifiedRoster } from '../roster/roster';
import { extractBackup, openContentKey, verifyBackup, peekBackupRehearsal, writeBackup, type BackupLayout, type BackupSource } from '../backup/archive';
import { meter, type CeremonyPorts, type RandomAccess, type StreamWriter } from './ports';
import { checkOutputsAbsent, type CeremonyOptions } from './generate';
import { ownArchive } from './outputs';
import { unlockMaster } from './quorum';
import { Session } from './session';
import { reviewAndUnlock, summaryDigest } from './approval';
import { fingerprintWords } from '../transcript/words';
import { emptyVaultState, liveMasterKeys, loadInventory, loadVaultState, VAULT_ROSTER_RE, type VaultState } from './vault';

export async function runBackup(ports: CeremonyPorts, plan: PlanOf<'backup'>, roster: VerifiedRoster, opts: CeremonyOptions & { segmentSize?: number }) {
  const { provider } = ports;
  const session = new Session(ports, roster, plan, opts);
  const { warning } = session.preflight(planAssignment(plan));
  checkOutputsAbsent(session, plan);
  const state = loadVaultState(provider, ports.vault, roster, { exclude: plan.transcript, rehearsal: opts.rehearsal === true, say: ports.say });
  const live = liveMasterKeys(state);
  const masterKeyId = plan.master ?? (live.length === 1 ? live[0]! : undefined);
  if (!masterKeyId) throw new PolicyError('backup.master', 'plan.master', live.length ? `the vault holds ${live.length} master keys (${live.join(', ')}): name one` : 'the vault holds no inventory to back up');
  const rec = state.inventories.get(masterKeyId);
  if (!rec) throw new PolicyError('backup.master', 'plan.master', `no inventory of master key ${masterKeyId} is recorded in the vault`);
  // The inventory must be the very file the transcripts recorded: its hash is checked as it is
  // read into the archive, which is published only if it matches.
  if (!ports.vault.exists(rec.name)) throw new VerifyError('vault.inventory', `vault/${rec.name}`, `is missing: generation ${rec.generation} is recorded in the transcripts`);
  const rosterBytes = ports.input(plan.roster.file, 'plan.roster.file');
  const transcripts = state.transcripts.map((t) => t.name);
  return session.run(async () => {
    await session.open({ approvers: plan.approvers, masterKeyId, inventory: { name: rec.name, generation: rec.generation, sha256: rec.sha256 } }, warning);
    // Resumed after the archive was published but before it was recorded: the archive this
    // ceremony wrote is checked (layout, hash, approvals, its own ceremony id) and adopted.
    const written = session.done('backup.written');
    if (written) return { file: plan.output, sha256: String(written.data.sha256), masterKeyId, files: Array.isArray(written.data.files) ? written.data.files.length : 0, ...(await session.close()) };
    if (session.resumed && ports.outputs.exists(plan.output)) {
      const l = ownArchive(provider, ports.outputs, plan.output, roster, session.ceremony);
      const sha256 = ports.outputs.sha256(plan.output);
      session.append(session.operator, 'backup.written', { file: plan.output, sha256, sealed: l.seal.sha256, masterKeyId, files: l.header.files.map((x) => ({ name: x.name, role: x.role, size: x.size, sha256: x.sha256 })), approvers: l.approvers, adopted: true });
      return { file: plan.output, sha256, masterKeyId, files: l.header.files.length, ...(await session.close()) };
    }
    const approvers: IdentitySecrets[] = [];
    let out: StreamWriter | undefined;
    try {
      const summary = {
        title: `Approve a backup of the vault: master key ${masterKeyId}`,
        lines: [
          `master key ${masterKeyId}  ${rec.masterKcv}`,
          `inventory generation ${rec.generation}, SHA-256 ${rec.sha256}`,
          `${transcripts.length} ceremony transcripts and the roster`,
          `written to ${plan.output}, encrypted to the master key's backup recipient`,
          `after transcript head ${fingerprintWords(fromHex(session.head)).join(' ')}`,
        ],
      };
      approvers.push(...(await reviewAndUnlock(session, plan.approvers, summary)));
      const summarySha256 = summaryDigest(session, summary);
      for (const a of approvers) session.append(a, 'backup.approved', { approver: a.id, masterKeyId, inventory: rec.sha256, transcripts: transcripts.length, summarySha256 });
      const sources: BackupSource[] = [
        { name: rec.name, role: 'inventory', size: ports.vault.size(rec.name), sha256: rec.sha256, chunks: (n) => ports.vault.chunks(rec.name, n) },
        { name: 'roster.json', role: 'roster', size: rosterBytes.length, sha256: toHex(provider.sha256(rosterBytes)), chunks: () => [rosterBytes] },
        ...transcripts.map((name): BackupSource => {
          const b = ports.vault.read(name);
          return { name, role: 'transcript', size: b.length, sha256: toHex(provider.sha256(b)), chunks: () => [b] };
        }),
        // The earlier rosters the transcripts were made under (trusted on restore only through their renewal links).
        ...ports.vault
          .list()
          .filter((n) => VAULT_ROSTER_RE.test(n))
          .map((name): BackupSource => {
            const b = ports.vault.read(name);
            return { name, role: 'earlier-roster', size: b.length, sha256: toHex(provider.sha256(b)), chunks: () => [b] };
          }),
      ];
      const sets = [...state.sets.values()].filter((s) => s.keyId === masterKeyId && !state.revoked.has(s.setId));
      out = ports.outputs.create(plan.output);
      const r = await writeBackup(
        { provider, rng: ports.rng },
        out,
        {
          ceremony: session.ceremony,
          organization: plan.ceremony.organization,
          created: ports.clock().toISOString(),
          rehearsal: session.rehearsal,
          masterKeyId,
          masterKcv: rec.masterKcv,
          recipient: rec.backupRecipient,
          shareSets: sets,
          revoked: [...state.revoked.keys()],
        },
        sources,
        approvers,
        opts.segmentSize,
        meter('backup', sources.reduce((a, s) => a + s.size, 0), ports.progress),
      );
      const sha256 = out.commit();
      out = undefined;
      session.append(session.operator, 'backup.written', {
        file: plan.output,
        sha256,
        sealed: r.seal.sha256,
        masterKeyId,
        files: r.header.files.map((f) => ({ name: f.name, role: f.role, size: f.size, sha256: f.sha256 })),
        approvers: r.approvers,
      });
      ports.say(`Backup ${plan.output}: ${r.header.files.length} files, signed by ${r.approvers.join(' and ')}.`);
      return { file: plan.output, sha256, masterKeyId, files: r.header.files.length, ...(await session.close()) };
    } finally {
      out?.abort();
      approvers.forEach(wipeIdentity);
    }
  });
}

/**
 * The backup a restore opens, checked before anyone is asked anything: the file can be read, is
 * of the same kind of run (rehearsal or real), and verifies (layout, SHA-256, two custodians'
 * approvals under the roster). Its share sets and revocations are what the quorum is checked
 * against. The caller closes `file`.
 */
export function restoreSource(ports: Pick<CeremonyPorts, 'provider' | 'openInput'>, plan: PlanOf<'restore'>, roster: VerifiedRoster, rehearsal: boolean): { file: RandomAccess; layout: BackupLayout; state: VaultState } {
  const file = ports.openInput(plan.backup.file, 'plan.backup.file');
  try {
    const mixed = (r: boolean | undefined) => {
      if (r !== undefined && r !== rehearsal)
        throw new PolicyError('restore.rehearsal', 'plan.backup.file', r ? 'is a rehearsal backup: a real restore never trusts what a rehearsal made' : 'is a real backup: a rehearsal never opens real keys');
    };
    mixed(peekBackupRehearsal(file)); // the reason first, even when its approvers are of another roster
    const layout = verifyBackup(ports.provider, file, roster);
    const h = layout.header;
    mixed(h.rehearsal);
    const state = emptyVaultState();
    for (const s of h.shareSets) state.sets.set(s.setId, s);
    for (const r of h.revoked) state.revoked.set(r, { ceremony: h.ceremony, time: h.created });
    return { file, layout, state };
  } catch (e) {
    file.close();
    throw e;
  }
}

export async function runRestore(ports: CeremonyPorts, plan: PlanOf<'restore'>, roster: VerifiedRoster, opts: CeremonyOptions) {
  const { provider } = ports;
  const session = new Session(ports, roster, plan, opts);
  const { warning } = session.preflight(planAssignment(plan));
  const resuming = ports.transcript.existing() !== undefined;
  const other = ports.vault.list().filter((n) => n !== plan.transcript);
  if (!resuming && other.length) throw new PolicyError('restore.vault', 'plan.vault', `is not empty (${other.slice(0, 3).join(', ')}${other.length > 3 ? ', …' : ''}): a restore only writes into an empty vault`);
  const { file, layout, state } = restoreSource(ports, plan, roster, session.rehearsal);
  try {
    const h = layout.header;
    return await session.run(async () => {
      await session.open({ quorum: plan.quorum, backup: { ceremony: h.ceremony, sha256: layout.seal.sha256, masterKeyId: h.masterKeyId } }, warning);
      session.append(session.operator, 'backup.verified', { ceremony: h.ceremony, created: h.created, sha256: layout.seal.sha256, approvers: layout.approvers, masterKeyId: h.masterKeyId, masterKcv: h.masterKcv, files: h.files.length });
      const unlocked = await unlockMaster(session, state, plan.quorum);
      try {
        if (unlocked.keyId !== h.masterKeyId) throw new PolicyError('restore.master', 'shares', `the shares rebuild master key ${unlocked.keyId}, but the backup is of ${h.masterKeyId}`);
        const secret = backupSecret(provider, unlocked.master);
        let key: Uint8Array;
        try {
          key = await openContentKey(provider, h, ageIdentityString(secret));
        } finally {
          wipe(secret);
        }
        // Every file is written under a partial name and published only when all are complete and hash-checked.
        const writers = new Map<string, StreamWriter>();
        const rosterPieces: Uint8Array[] = [];
        try {
          if (!resuming || !session.done('restore.files')) {
            const tick = meter('restore', layout.header.files.reduce((a, f) => a + f.size, 0), ports.progress);
            let restored = 0;
            for (const piece of extractBackup(provider, file, layout, key)) {
              tick((restored += piece.bytes.length));
              const name = piece.file.role === 'roster' ? 'roster.json' : piece.file.name;
              let w = writers.get(name);
              if (!w) writers.set(name, (w = ports.vault.create(name)));
              w.write(piece.bytes);
              if (piece.file.role === 'roster') rosterPieces.push(piece.bytes.slice());
              if (piece.end && w.digest() !== piece.file.sha256) throw new VerifyError('backup.file', piece.file.name, 'does not have the SHA-256 the backup header names');
            }
            const archived = verifyRoster(provider, fromUtf8(concat(...rosterPieces), 'backup.roster'));
            if (archived.fingerprint !== roster.fingerprint) throw new PolicyError('restore.roster', 'plan.roster', 'the backup was made under another roster than the plan pins');
            const files = [...writers.entries()].map(([name, w]) => ({ name, sha256: w.commit() }));
            writers.clear();
            session.append(session.operator, 'restore.files', { files });
          }
        } finally {
          wipe(key);
          for (const w of writers.values()) w.abort();
        }
        // The restored vault is read back as any vault: transcripts verified, inventory hash, MAC, generation.
        const restored = loadVaultState(provider, ports.vault, roster, { exclude: plan.transcript, rehearsal: opts.rehearsal === true, say: ports.say });
        const inv = loadInventory(provider, ports.vault, restored, unlocked.master, h.masterKeyId);
        let checked = 0;
        for (const k of inv.keys) {
          if (k.wrapped === null) continue;
          wipe(unwrapInventoryKey(provider, inv, unlocked.master, k.id, ['pre-active', 'active', 'deactivated', 'compromised']));
          checked++;
        }
        session.append(session.operator, 'inventory.restored', { masterKeyId: inv.masterKeyId, masterKcv: inv.masterKcv, generation: inv.generation, keys: inv.keys.length, kcvChecked: checked });
        ports.readAloud?.({ label: 'Restored master key KCV', value: inv.masterKcv });
        ports.say(`Restored master key ${inv.masterKcv}: ${inv.keys.length} keys, ${checked} KCVs checked.`);
        const keys = inv.keys.map((k) => ({ id: k.id, name: k.name, kcv: k.kcv, state: k.state }));
        wipe(unlocked.master);
        return { masterKeyId: inv.masterKeyId, masterKcv: inv.masterKcv, generation: inv.generation, keys, ...(await session.close()) };
      } finally {
        wipe(unlocked.master);
      }
    });
  } finally {
    file.close();
  }
}
