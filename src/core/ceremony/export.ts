/**
 * export-bundle and escrow (dual control on top of the quorum): the selected active keys are
 * unwrapped from the inventory, wrapped for the recipient (a key server's pinned transport key,
 * or an escrow agent's age or RSA key), described in a manifest that names the transcript head,
 * and approved by the signatures of two distinct custodians who did not request it. The
 * document is written to the output medium and its SHA-256 recorded.
 */
import { base64 } from '@scure/base';
import { PolicyError } from '../errors';
import { concat, fromHex, fromUtf8, toHex, utf8, wipe } from '../crypto/bytes';
import { rsaAesWrap } from '../crypto/rsa-aes-wrap';
import { sealAge } from '../age';
import { unwrapInventoryKey, type Inventory, type InventoryKey } from '../inventory/inventory';
import type { PlanOf } from '../plan/schema';
import { wipeIdentity } from '../roster/identity';
import type { VerifiedRoster } from '../roster/roster';
import { canonicalJson } from '../transcript/canonical';
import { BUNDLE_SCHEME, type BundleManifest } from '../documents/bundle';
import type { EscrowManifest } from '../documents/escrow';
import { approve, documentToText, type SignedDocument } from '../documents/signed';
import { checkPinned, parseTransportKey, type TransportKey } from '../documents/transport';
import type { ApprovalSummary, CeremonyPorts } from './ports';
import { reviewAndUnlock, summaryDigest } from './approval';
import { fingerprintWords } from '../transcript/words';
import { checkOutputsAbsent, type CeremonyOptions } from './generate';
import { quorumCeremony } from './quorum-ceremony';
import type { Session } from './session';

const DAY = 86_400_000;

/** The keys an export selects by name: each in the inventory and active, else refused naming it. */
export function selectKeys(inv: Pick<Inventory, 'keys'>, names: string[]): InventoryKey[] {
  return names.map((n, i) => {
    const k = inv.keys.find((x) => x.name === n && x.state !== 'destroyed');
    if (!k) throw new PolicyError('export.key', `plan.keys[${i}]`, `no key named "${n}" in the inventory`);
    if (k.state !== 'active') throw new PolicyError('export.state', `plan.keys[${i}]`, `${n} is ${k.state}: only active keys are exported`);
    return k;
  });
}

/** A key as an export records it. */
type ExportedKey = { id: string; name: string; kcv: string };

const facts = (k: InventoryKey) => ({ id: k.id, name: k.name, algorithm: k.algorithm, length: k.length, usage: k.usage, state: k.state, cryptoperiodDays: k.cryptoperiodDays, kcv: k.kcv });

/**
 * Both approvers read what they approve (the summary, naming the manifest's SHA-256), say yes,
 * unlock and sign; each approval is a transcript event signed by them that records the hash of
 * the summary they were shown.
 */
async function approvals<M>(session: Session, kind: string, approvers: string[], manifest: M, summary: (manifestSha256: string) => ApprovalSummary): Promise<SignedDocument<M>> {
  const digest = toHex(session.ports.provider.sha256(utf8(canonicalJson(manifest, 'manifest'))));
  const shown = summary(digest);
  const ids = await reviewAndUnlock(session, approvers, shown);
  try {
    const doc: SignedDocument<M> = { manifest, approvals: ids.map((a) => approve(session.ports.provider, kind, manifest, a)) };
    const summarySha256 = summaryDigest(session, shown);
    for (const a of ids) session.append(a, `${kind}.approved`, { approver: a.id, manifestSha256: digest, summarySha256 });
    return doc;
  } finally {
    ids.forEach(wipeIdentity);
  }
}

const keyLines = (keys: { name: string; kcv: string }[]) => keys.map((k) => `key ${k.name}  ${k.kcv}`);
const headLine = (session: Session) => `after transcript head ${fingerprintWords(fromHex(session.head)).join(' ')}`;

type Inputs = Pick<CeremonyPorts, 'provider' | 'clock' | 'input'>;

/** The key server's transport key the plan pins: its fingerprint, an enrollment still in force. Checked before anyone is asked. */
export function loadTransport(ports: Inputs, plan: PlanOf<'export-bundle'>): TransportKey {
  const t = parseTransportKey(ports.provider, fromUtf8(ports.input(plan.recipient.file, 'plan.recipient.file'), 'plan.recipient.file'), 'plan.recipient.file');
  checkPinned(t, plan.recipient.fingerprint, ports.clock(), 'plan.recipient');
  return t;
}

/** An escrow agent's RSA key the plan pins (undefined for an age agent). Checked before anyone is asked. */
export function loadAgentKey(ports: Inputs, plan: PlanOf<'escrow'>): TransportKey | undefined {
  if (!('rsa' in plan.agent)) return undefined;
  const t = parseTransportKey(ports.provider, fromUtf8(ports.input(plan.agent.rsa.file, 'plan.agent.rsa.file'), 'plan.agent.rsa.file'), 'plan.agent.rsa.file');
  checkPinned(t, plan.agent.rsa.fingerprint, ports.clock(), 'plan.agent.rsa');
  return t;
}

export async function runExportBundle(ports: CeremonyPorts, plan: PlanOf<'export-bundle'>, roster: VerifiedRoster, opts: CeremonyOptions) {
  let transport: TransportKey | undefined;
  return quorumCeremony(
    ports,
    plan,
    roster,
    opts,
    { keys: plan.keys, approvers: plan.approvers, recipient: plan.recipient.fingerprint },
    (session) => {
      checkOutputsAbsent(session, plan);
      transport = loadTransport(ports, plan); // before any custodian is asked for anything
    },
    async ({ session, unlocked, inventory }) => {
      const t = transport!;
      const keys = selectKeys(inventory, plan.keys);
      const now = ports.clock();
      const wrapped = keys.map((k) => {
        const material = unwrapInventoryKey(ports.provider, inventory, unlocked.master, k.id, ['active']);
        try {
          return { ...facts(k), wrapped: base64.encode(rsaAesWrap(ports.provider, ports.rng, t.spki, material)) };
        } finally {
          wipe(material);
        }
      });
      const manifest: BundleManifest = {
        v: 1,
        kind: 'custos.bundle',
        ceremony: session.ceremony,
        organization: plan.ceremony.organization,
        created: now.toISOString(),
        expires: new Date(now.getTime() + plan.expiresDays * DAY).toISOString(),
        rehearsal: session.rehearsal,
        masterKeyId: unlocked.keyId,
        recipient: { server: t.file.server.name, fingerprint: t.fingerprint },
        scheme: BUNDLE_SCHEME,
        transcript: { head: session.head, seq: session.events.length + session.prior.length },
        keys: wrapped,
      };
      const doc = await approvals(session, 'bundle', plan.approvers, manifest, (sha) => ({
        title: `Approve the export of ${keys.length} key(s) to key server ${t.file.server.name}`,
        lines: [...keyLines(keys), `wrapped for transport key ${t.fingerprint}`, `  read aloud: ${t.words.join(' ')}`, `expires ${manifest.expires}`, headLine(session), `bundle manifest SHA-256 ${sha}`],
      }));
      const sha256 = ports.outputs.write(plan.output, utf8(documentToText(doc)));
      session.append(session.operator, 'bundle.written', {
        file: plan.output,
        sha256,
        recipient: manifest.recipient,
        expires: manifest.expires,
        keys: keys.map((k) => ({ id: k.id, name: k.name, kcv: k.kcv })),
        approvers: plan.approvers,
      });
      ports.readAloud?.({ label: `Key server ${t.file.server.name}: transport key fingerprint`, value: t.fingerprint, words: t.words });
      ports.say(`Bundle ${plan.output} for ${t.file.server.name} (${t.words.join(' ')}): ${keys.length} keys, expires ${manifest.expires}.`);
      return { file: plan.output, sha256, keys: keys.map((k) => ({ id: k.id, name: k.name, kcv: k.kcv })) };
    },
    (session) => {
      const e = session.done('bundle.written');
      return e && { file: String(e.data.file), sha256: String(e.data.sha256), keys: e.data.keys as ExportedKey[] };
    },
  );
}

export async function runEscrow(ports: CeremonyPorts, plan: PlanOf<'escrow'>, roster: VerifiedRoster, opts: CeremonyOptions) {
  let rsa: TransportKey | undefined;
  const agent = plan.agent;
  return quorumCeremony(
    ports,
    plan,
    roster,
    opts,
    { keys: plan.keys, approvers: plan.approvers, agent: agent.name },
    (session) => {
      checkOutputsAbsent(session, plan);
      rsa = loadAgentKey(ports, plan);
    },
    async ({ session, unlocked, inventory }) => {
      const keys = selectKeys(inventory, plan.keys);
      const materials = keys.map((k) => unwrapInventoryKey(ports.provider, inventory, unlocked.master, k.id, ['active']));
      let payload: Uint8Array | undefined;
      try {
        let entries: EscrowManifest['keys'];
        let payloadRef: EscrowManifest['payload'] = null;
        if ('age' in agent) {
          const plain = concat(...materials);
          try {
            payload = await sealAge({ provider: ports.provider, rng: ports.rng }, plain, { recipient: agent.age });
          } finally {
            wipe(plain);
          }
          payloadRef = { file: `${plan.output}.age`, sha256: toHex(ports.provider.sha256(payload)), layout: 'concatenated 32-byte keys in manifest order' };
          entries = keys.map((k) => ({ ...facts(k), wrapped: null }));
        } else {
          entries = keys.map((k, i) => ({ ...facts(k), wrapped: base64.encode(rsaAesWrap(ports.provider, ports.rng, rsa!.spki, materials[i]!)) }));
        }
        const manifest: EscrowManifest = {
          v: 1,
          kind: 'custos.escrow',
          ceremony: session.ceremony,
          organization: plan.ceremony.organization,
          created: ports.clock().toISOString(),
          rehearsal: session.rehearsal,
          masterKeyId: unlocked.keyId,
          agent: 'age' in agent ? { name: agent.name, type: 'age', recipient: agent.age } : { name: agent.name, type: 'rsa', fingerprint: rsa!.fingerprint, scheme: BUNDLE_SCHEME },
          payload: payloadRef,
          transcript: { head: session.head, seq: session.events.length + session.prior.length },
          keys: entries,
        };
        const doc = await approvals(session, 'escrow', plan.approvers, manifest, (sha) => ({
          title: `Approve the escrow of ${keys.length} key(s) to ${agent.name}`,
          lines: [
            ...keyLines(keys),
            'age' in agent ? `encrypted to the agent's age recipient ${agent.age}` : `wrapped for the agent's RSA key ${rsa!.fingerprint}`,
            headLine(session),
            `escrow manifest SHA-256 ${sha}`,
          ],
        }));
        const files = [];
        if (payload) files.push({ name: `${plan.output}.age`, sha256: ports.outputs.write(`${plan.output}.age`, payload) });
        files.push({ name: `${plan.output}.json`, sha256: ports.outputs.write(`${plan.output}.json`, utf8(documentToText(doc))) });
        session.append(session.operator, 'escrow.written', { files, agent: manifest.agent, keys: keys.map((k) => ({ id: k.id, name: k.name, kcv: k.kcv })), approvers: plan.approvers });
        return { files, keys: keys.map((k) => ({ id: k.id, name: k.name, kcv: k.kcv })) };
      } finally {
        materials.forEach((m) => wipe(m));
        wipe(payload);
      }
    },
    (session) => {
      const e = session.done('escrow.written');
      return e && { files: e.data.files as { name: string; sha256: string }[], keys: e.data.keys as ExportedKey[] };
    },
  );
}
