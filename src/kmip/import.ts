/**
 * `custos import`: a verified bundle into every member of a key-server cluster.
 *
 * Before any server is touched: the bundle's approvals against the trusted roster, the
 * recipient (this server's transport key), the expiry; then every key is unwrapped with the
 * transport private key and its KCV checked. Then, for each server, in batches on one TLS
 * session: Locate each key by name. A key already there with the same KCV is recognised (and
 * activated if it is not yet); the same name with another KCV is refused loudly; the others are
 * registered (name, AES-256, usage mask, the ceremony in Object Group and the KCV in
 * Application Specific Information), activated, and read back with Get to compare the KCV. A
 * run interrupted half-way completes on rerun. The key material is wiped at the end.
 *
 * With `wrappedBy` (`--wrapped UID`), for servers that hold the transport key pair and unwrap
 * themselves: the keys are still unwrapped and checked here first, but what is sent is each
 * key's wrap exactly as the approvers signed it, in KMIP Key Wrapping Data naming the server's
 * transport public key (every server's is checked against the pinned fingerprint before
 * anything is registered anywhere). One key goes first and is read back: a server that refuses
 * the wrapped form (PyKMIP does), stores it still wrapped, cannot give it back or unwraps it to
 * another KCV is refused, and that key destroyed, before the others are sent.
 */
import { InputError, PolicyError, VerifyError } from '../core/errors';
import { kcv } from '../core/crypto/kcv';
import type { CryptoProvider } from '../core/crypto/provider';
import { rsaAesUnwrap } from '../core/crypto/rsa-aes-wrap';
import { base64 } from '@scure/base';
import { toHex } from '../core/crypto/bytes';
import { verifyBundle, type BundleManifest } from '../core/documents/bundle';
import { checkPinned, type TransportKey } from '../core/documents/transport';
import type { VerifiedRoster } from '../core/roster/roster';
import type { KmipClient } from './client';
import { createPublicKey } from 'node:crypto';
import { KeyStillWrapped, KmipError, payloads, readAttributes, readPublicKey, readSymmetricKey, readUid, readUids, expectSuccess, type ResponseItem } from './messages';
import { OBJECT_TYPE, OBJECT_TYPE_NAMES, STATE_NAMES, USAGE_MASK, type OperationName } from './tags';
import type { Item } from './ttlv';
import type { Receipt } from './receipt';

const MASK: Record<string, number> = {
  'wrap-key': USAGE_MASK.wrapKey,
  'unwrap-key': USAGE_MASK.unwrapKey,
  encrypt: USAGE_MASK.encrypt,
  decrypt: USAGE_MASK.decrypt,
  mac: USAGE_MASK.macGenerate | USAGE_MASK.macVerify,
};

export interface ImportRequest {
  bundleText: string;
  bundleSha256: string;
  roster: VerifiedRoster;
  transport: TransportKey;
  /** SECRET: the transport private key, PKCS#8 DER. */
  privateKey: Uint8Array;
  clients: KmipClient[];
  now: () => Date;
  /** KMIP Operation Policy Name to register under (PyKMIP: a policy sharing the keys with their users). */
  policyName?: string;
  /**
   * Register each key in its wrapped form, the bundle's RSA-AES wrap unchanged, for servers
   * that hold the transport key pair and unwrap: the Unique Identifier of the transport public
   * key's object on each server, one for all (a replicated cluster) or one per client in order;
   * every one is checked against the pinned fingerprint before anything is registered anywhere.
   */
  wrappedBy?: string[];
  batchSize?: number;
  say(text: string): void;
}

type Key = BundleManifest['keys'][number] & { material: Uint8Array };

async function inBatches<T>(client: KmipClient, items: T[], size: number, op: OperationName, payload: (t: T) => Item[]): Promise<ResponseItem[]> {
  const out: ResponseItem[] = [];
  for (let i = 0; i < items.length; i += size) {
    const chunk = items.slice(i, i + size);
    out.push(...(await client.batch(chunk.map((t) => ({ operation: op, payload: payload(t) })))));
  }
  return out;
}

/** The server's object `uid` is the transport public key the bundle was wrapped to. */
async function checkWrappingKey(provider: CryptoProvider, client: KmipClient, uid: string, transport: TransportKey, where: string): Promise<void> {
  // Its type first: a Get of a private or secret key by mistake would bring its material here.
  const type = readAttributes(await client.call('getAttributes', payloads.getAttributes(uid, ['Object Type']))).find((a) => a.name === 'Object Type')?.value;
  if (type?.type !== 'enumeration' || type.value !== OBJECT_TYPE.publicKey)
    throw new VerifyError('import.wrappingKey', '--wrapped', `object ${uid} on ${where} is ${type?.type === 'enumeration' ? (OBJECT_TYPE_NAMES[type.value] ?? `object type ${type.value}`) : 'of no stated type'}, not the transport public key`);
  const got = readPublicKey(await client.call('get', payloads.uid(uid)), `kmip ${where} object ${uid}`);
  let spki = got.der;
  if (got.format === 'pkcs1') {
    try {
      spki = new Uint8Array(createPublicKey({ key: Buffer.from(got.der), format: 'der', type: 'pkcs1' }).export({ type: 'spki', format: 'der' }));
    } catch (e) {
      throw new VerifyError('import.wrappingKey', '--wrapped', `object ${uid} on ${where} is not a readable PKCS#1 RSA public key`, { cause: e });
    }
  }
  const fp = toHex(provider.sha256(spki));
  if (fp !== transport.fingerprint)
    throw new VerifyError('import.wrappingKey', '--wrapped', `object ${uid} on ${where} is the public key ${fp}, not the transport key ${transport.fingerprint} this bundle is wrapped to`);
}

export async function importBundle(provider: CryptoProvider, req: ImportRequest): Promise<Omit<Receipt, 'v' | 'kind'> & { manifest: BundleManifest }> {
  const size = req.batchSize ?? 50;
  const { manifest } = verifyBundle(provider, req.bundleText, req.roster, { fingerprint: req.transport.fingerprint, now: req.now() });
  checkPinned(req.transport, req.transport.fingerprint, req.now(), 'transport');
  const keys: Key[] = [];
  try {
    for (const k of manifest.keys) {
      const material = rsaAesUnwrap(provider, req.privateKey, base64.decode(k.wrapped));
      keys.push({ ...k, material });
      if (kcv(provider, material) !== k.kcv) throw new VerifyError('import.kcv', `bundle.manifest.keys.${k.name}.kcv`, 'the unwrapped key does not have the KCV the approvers signed');
    }
    req.say(`Bundle verified: ${keys.length} keys, approved by the roster's custodians; every KCV matches.`);
    const servers: Receipt['servers'] = [];
    const whereOf = (client: KmipClient) => `${client.endpoint.host}:${client.endpoint.port}`;
    const wrappingKeys = req.wrappedBy;
    if (wrappingKeys && wrappingKeys.length !== 1 && wrappingKeys.length !== req.clients.length)
      throw new InputError('import.wrapped', '--wrapped', `give one UID for every server or one per --kmip (${req.clients.length}), not ${wrappingKeys.length}`);
    const wrappingKey = (i: number) => wrappingKeys && (wrappingKeys[i] ?? wrappingKeys[0]!);
    // Every server's transport key is checked before anything is registered anywhere.
    for (const [i, client] of req.clients.entries()) {
      await client.negotiate();
      const uid = wrappingKey(i);
      if (uid !== undefined) await checkWrappingKey(provider, client, uid, req.transport, whereOf(client));
    }
    for (const [i, client] of req.clients.entries()) {
      const where = whereOf(client);
      const wrappedBy = wrappingKey(i);
      const located = await inBatches(client, keys, size, 'locate', (k) => payloads.locateByName(k.name));
      const existing = located.map((r) => readUids(expectSuccess(r, 'locate')));
      const present = keys.map((k, i) => ({ k, uids: existing[i]! })).filter((x) => x.uids.length > 0);
      const fetched = await inBatches(client, present.flatMap((p) => p.uids.map((uid) => ({ p, uid }))), size, 'get', (x) => payloads.uid(x.uid));
      const outcome = new Map<string, { uid: string; outcome: 'registered' | 'present' }>();
      let f = 0;
      for (const p of present) {
        for (const uid of p.uids) {
          let got: ReturnType<typeof readSymmetricKey>;
          try {
            got = readSymmetricKey(expectSuccess(fetched[f++]!, 'get'), 'get');
          } catch (e) {
            if (e instanceof KeyStillWrapped) throw new PolicyError('import.conflict', `kmip ${where}`, `a key named "${p.k.name}" already exists there (unique identifier ${uid}), stored wrapped: its KCV cannot be compared, so it is neither trusted nor duplicated`);
            throw e;
          }
          const same = kcv(provider, got.material) === p.k.kcv;
          got.material.fill(0);
          if (!same) throw new PolicyError('import.conflict', `kmip ${where}`, `a key named "${p.k.name}" already exists there (unique identifier ${uid}) with another KCV: refusing to add a second key under that name`);
          outcome.set(p.k.id, { uid, outcome: 'present' });
        }
      }
      // Keys already present but not yet active (a run interrupted after Register) are activated.
      const states = await inBatches(client, [...outcome.values()], size, 'getAttributes', (o) => payloads.getAttributes(o.uid, ['State']));
      const toActivate = [...outcome.values()].filter((_, i) => readAttributes(expectSuccess(states[i]!, 'getAttributes')).some((a) => a.name === 'State' && a.value.type === 'enumeration' && STATE_NAMES[a.value.value] === 'pre-active'));
      const fresh = keys.filter((k) => !outcome.has(k.id));
      const registration = (k: Key) =>
        payloads.register({
          ...(wrappedBy !== undefined ? { material: base64.decode(k.wrapped), wrappedBy, length: k.length } : { material: k.material }),
          name: k.name,
          usageMask: k.usage.reduce((m, u) => m | (MASK[u] ?? 0), 0),
          objectGroup: `custos:${manifest.ceremony}`,
          applicationInfo: { namespace: 'custos-kcv', data: k.kcv },
          ...(req.policyName && { operationPolicyName: req.policyName }),
        });
      if (wrappedBy !== undefined && fresh.length > 0) {
        // One key first: the server must unwrap it to the key the approvers signed.
        const probe = fresh.shift()!;
        let uid: string;
        try {
          uid = readUid(await client.call('register', registration(probe)), 'register');
        } catch (e) {
          if (!(e instanceof KmipError)) throw e;
          throw new PolicyError('import.unwrap', `kmip ${where}`, `refused ${probe.name} in the wrapped form (${e.message}); nothing was registered there: if this server does not take wrapped keys, import without --wrapped`, { cause: e });
        }
        outcome.set(probe.id, { uid, outcome: 'registered' });
        let why: string | undefined;
        try {
          const got = readSymmetricKey(await client.call('get', payloads.uid(uid)), 'get');
          if (got.uid !== uid) why = `answered a Get of ${uid} with object ${got.uid}`;
          else if (kcv(provider, got.material) !== probe.kcv) why = `unwrapped ${probe.name} to a key with another KCV than ${probe.kcv}`;
          got.material.fill(0);
        } catch (e) {
          why =
            e instanceof KeyStillWrapped
              ? 'stored the wrapped key as sent without unwrapping it: this server does not unwrap; import without --wrapped'
              : `could not read ${probe.name} back (${(e as Error).message})`;
        }
        if (why) {
          const left = await client.call('destroy', payloads.uid(uid)).then(
            () => `the probe key ${probe.name} (unique identifier ${uid}, pre-active) was destroyed`,
            (e: Error) => `the probe key ${probe.name} is left there as unique identifier ${uid}, pre-active: destroy it (${e.message})`,
          );
          throw new PolicyError('import.unwrap', `kmip ${where}`, `${why}; ${left}`);
        }
      }
      const registered = await inBatches(client, fresh, size, 'register', registration);
      fresh.forEach((k, i) => outcome.set(k.id, { uid: readUid(expectSuccess(registered[i]!, 'register'), 'register'), outcome: 'registered' }));
      const freshUids = keys.filter((k) => outcome.get(k.id)?.outcome === 'registered').map((k) => outcome.get(k.id)!);
      const activate = [...freshUids, ...toActivate];
      for (const r of await inBatches(client, activate, size, 'activate', (o) => payloads.uid(o.uid))) expectSuccess(r, 'activate');
      // Read every key back and compare its KCV.
      const back = await inBatches(client, keys, size, 'get', (k) => payloads.uid(outcome.get(k.id)!.uid));
      keys.forEach((k, i) => {
        const got = readSymmetricKey(expectSuccess(back[i]!, 'get'), 'get');
        const uid = outcome.get(k.id)!.uid;
        const same = kcv(provider, got.material) === k.kcv;
        got.material.fill(0);
        if (got.uid !== uid) throw new VerifyError('import.readback', `kmip ${where}`, `answered a Get of ${k.name} (${uid}) with object ${got.uid}`);
        if (!same) throw new VerifyError('import.readback', `kmip ${where}`, `${k.name} reads back with another KCV than ${k.kcv}`);
      });
      servers.push({ endpoint: where, subject: client.serverSubject, time: req.now().toISOString(), form: wrappedBy !== undefined ? 'wrapped' : 'unwrapped', keys: keys.map((k) => ({ id: k.id, name: k.name, kcv: k.kcv, ...outcome.get(k.id)! })) });
      const n = freshUids.length;
      req.say(`${where}: ${n} registered${wrappedBy !== undefined ? ' wrapped (the server unwrapped them)' : ''}, ${keys.length - n} already present; all ${keys.length} active and read back with their KCVs.`);
    }
    return {
      manifest,
      bundle: { sha256: req.bundleSha256, ceremony: manifest.ceremony, transcriptHead: manifest.transcript.head },
      transport: { server: req.transport.file.server.name, fingerprint: req.transport.fingerprint },
      rehearsal: manifest.rehearsal,
      servers,
    };
  } finally {
    for (const k of keys) k.material.fill(0);
  }
}
