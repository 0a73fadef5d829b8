/**
 * confirm-import: the receipt that travelled back from the key server closes the loop. The
 * operator and witnesses check that it is signed by the transport key the export pinned, that
 * it is the receipt of the very bundle a closed export ceremony in the vault wrote, and that
 * every server it names holds every key of the bundle with the bundle's KCV; then the import
 * is recorded ("import confirmed") with the servers' unique identifiers.
 */
import { PolicyError, VerifyError } from '../errors';
import { fromUtf8, toHex } from '../crypto/bytes';
import { verifyBundle } from '../documents/bundle';
import { checkFingerprint, parseTransportKey } from '../documents/transport';
import type { PlanOf } from '../plan/schema';
import { planAssignment } from '../plan/schema';
import type { VerifiedRoster } from '../roster/roster';
import type { CeremonyPorts } from './ports';
import type { CeremonyOptions } from './generate';
import { Session } from './session';
import { loadVaultState } from './vault';

export async function runConfirmImport(ports: CeremonyPorts, plan: PlanOf<'confirm-import'>, roster: VerifiedRoster, opts: CeremonyOptions) {
  const { provider } = ports;
  const session = new Session(ports, roster, plan, opts);
  const { warning } = session.preflight(planAssignment(plan));
  const transport = parseTransportKey(provider, fromUtf8(ports.input(plan.recipient.file, 'plan.recipient.file'), 'plan.recipient.file'), 'plan.recipient.file');
  checkFingerprint(transport, plan.recipient.fingerprint, 'plan.recipient'); // an enrollment that expired since the import still identifies its receipts
  const receiptBytes = ports.input(plan.receipt.file, 'plan.receipt.file');
  const receipt = ports.verifyReceipt(fromUtf8(receiptBytes, 'receipt'), transport);
  if (receipt.rehearsal !== (opts.rehearsal === true))
    throw new PolicyError('receipt.rehearsal', 'plan.receipt.file', receipt.rehearsal ? 'is the receipt of a rehearsal import: a real ceremony never records it' : 'is the receipt of a real import: a rehearsal never records it');
  const bundleBytes = ports.input(plan.bundle.file, 'plan.bundle.file');
  const bundleSha256 = toHex(provider.sha256(bundleBytes));
  if (receipt.bundle.sha256 !== bundleSha256) throw new VerifyError('receipt.bundle', 'receipt.bundle.sha256', 'is the receipt of another bundle than the one named in the plan');
  const { manifest } = verifyBundle(provider, fromUtf8(bundleBytes, 'bundle'), roster, { fingerprint: transport.fingerprint });
  const state = loadVaultState(provider, ports.vault, roster, { exclude: plan.transcript, rehearsal: opts.rehearsal === true, say: ports.say });
  const exported = state.transcripts.find((t) => t.report.closing && t.report.events.some((e) => e.type === 'bundle.written' && e.data.sha256 === bundleSha256));
  if (!exported) throw new PolicyError('receipt.export', 'plan.bundle', 'no closed export ceremony in this vault wrote this bundle');
  for (const s of receipt.servers)
    for (const k of manifest.keys) {
      const r = s.keys.find((x) => x.id === k.id);
      if (!r) throw new VerifyError('receipt.missing', `receipt.servers.${s.endpoint}`, `does not confirm ${k.name}`);
      if (r.kcv !== k.kcv) throw new VerifyError('receipt.kcv', `receipt.servers.${s.endpoint}.${k.name}`, `confirms KCV ${r.kcv}, the bundle carried ${k.kcv}`);
    }
  return session.run(async () => {
    await session.open({ exportCeremony: exported.report.ceremony, bundle: bundleSha256, server: transport.file.server.name }, warning);
    if (!session.done('import.confirmed'))
      session.append(session.operator, 'import.confirmed', {
        receipt: toHex(provider.sha256(receiptBytes)),
        bundle: bundleSha256,
        exportCeremony: exported.report.ceremony,
        transport: receipt.transport,
        servers: receipt.servers.map((s) => ({ endpoint: s.endpoint, subject: s.subject, time: s.time, form: s.form, keys: s.keys.map((k) => ({ id: k.id, name: k.name, uid: k.uid, kcv: k.kcv, outcome: k.outcome })) })),
      });
    ports.say(`Import confirmed: ${manifest.keys.length} keys on ${receipt.servers.map((s) => s.endpoint).join(', ')}.`);
    return { bundle: bundleSha256, exportCeremony: exported.report.ceremony, servers: receipt.servers.length, keys: manifest.keys.length, ...(await session.close()) };
  });
}
