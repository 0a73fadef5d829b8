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
import { checkNotExpired, type TransportKey } from '../core/documents/transport';
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
  /** A rehearsal import (a drill on a test server): only rehearsal bundles. A real import refuses them. */
  rehearsal?: boolean;
  batchSize?: number;
  say(text: string): void;
}

/** Rehearsal keys never reach a real import, and a drill never carries real keys. */
export function checkRehearsal(manifest: BundleManifest, rehearsal: boolean): void {
  if (manifest.rehearsal && !rehearsal)
    throw new PolicyError('import.rehearsal', 'bundle.manifest.rehearsal', 'this bundle was made in a rehearsal (throwaway keys): a real import refuses it; drill with --rehearsal yes on a test server');
  if (!manifest.rehearsal && rehearsal) throw new PolicyError('import.rehearsal', 'bundle.manifest.rehearsal', 'this bundle carries real keys: --rehearsal yes imports rehearsal bundles only');
}

/** SECRET: a bundle key with its unwrapped material. */
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

/** One UID for every server (a replicated cluster) or one per server, in order. */
export function checkWrappingKeyCount(uids: string[] | undefined, servers: number): void {
  if (uids && uids.length !== 1 && uids.length !== servers) throw new InputError('import.wrapped', '--wrapped', `give one UID for every server or one per --kmip (${servers}), not ${uids.length}`);
}

/** The object and KCV of a Get answer; the key material is wiped before it returns. */
function readKcv(provider: CryptoProvider, p: Item): { uid: string; kcv: string } {
  const got = readSymmetricKey(p, 'get');
  try {
    return { uid: got.uid, kcv: kcv(provider, got.material) };
  } finally {
    got.material.fill(0);
  }
}

type Outcome = { uid: string; outcome: 'registered' | 'present' };

interface ServerRun {
  provider: CryptoProvider;
  client: KmipClient;
  where: string;
  keys: Key[];
  size: number;
}

/**
 * Keys already on the server by name: the same KCV is recognised, another KCV (or a key kept
 * wrapped, whose KCV cannot be compared) refused before anything is registered. Returns what
 * was found and which of those are still pre-active (a run interrupted after Register).
 */
async function findPresent({ provider, client, where, keys, size }: ServerRun): Promise<{ outcome: Map<string, Outcome>; toActivate: Outcome[] }> {
  const located = await inBatches(client, keys, size, 'locate', (k) => payloads.locateByName(k.name));
  const found = keys.flatMap((k, i) => readUids(expectSuccess(located[i]!, 'locate')).map((uid) => ({ k, uid })));
  const fetched = await inBatches(client, found, size, 'get', (x) => payloads.uid(x.uid));
  const outcome = new Map<string, Outcome>();
  found.forEach(({ k, uid }, i) => {
    let got: string;
    try {
      got = readKcv(provider, expectSuccess(fetched[i]!, 'get')).kcv;
    } catch (e) {
      if (e instanceof KeyStillWrapped) throw new PolicyError('import.conflict', `kmip ${where}`, `a key named "${k.name}" already exists there (unique identifier ${uid}), stored wrapped: its KCV cannot be compared, so it is neither trusted nor duplicated`);
      throw e;
    }
    if (got !== k.kcv) throw new PolicyError('import.conflict', `kmip ${where}`, `a key named "${k.name}" already exists there (unique identifier ${uid}) with another KCV: refusing to add a second key under that name`);
    outcome.set(k.id, { uid, outcome: 'present' });
  });
  const present = [...outcome.values()];
  const states = await inBatches(client, present, size, 'getAttributes', (o) => payloads.getAttributes(o.uid, ['State']));
  const toActivate = present.filter((_, i) => readAttributes(expectSuccess(states[i]!, 'getAttributes')).some((a) => a.name === 'State' && a.value.type === 'enumeration' && STATE_NAMES[a.value.value] === 'pre-active'));
  return { outcome, toActivate };
}

/**
 * The wrapped form's first key, alone: the server must take it and unwrap it to the key the
 * approvers signed. Otherwise that key is destroyed and the import stops there.
 */
async function probeWrapped({ provider, client, where }: ServerRun, probe: Key, registration: Item[]): Promise<string> {
  let uid: string;
  try {
    uid = readUid(await client.call('register', registration), 'register');
  } catch (e) {
    if (!(e instanceof KmipError)) throw e;
    throw new PolicyError('import.unwrap', `kmip ${where}`, `refused ${probe.name} in the wrapped form (${e.message}); nothing was registered there: if this server does not take wrapped keys, import without --wrapped`, { cause: e });
  }
  let why: string | undefined;
  try {
    const got = readKcv(provider, await client.call('get', payloads.uid(uid)));
    if (got.uid !== uid) why = `answered a Get of ${uid} with object ${got.uid}`;
    else if (got.kcv !== probe.kcv) why = `unwrapped ${probe.name} to a key with another KCV than ${probe.kcv}`;
  } catch (e) {
    why = e instanceof KeyStillWrapped ? 'stored the wrapped key as sent without unwrapping it: this server does not unwrap; import without --wrapped' : `could not read ${probe.name} back (${(e as Error).message})`;
  }
  if (!why) return uid;
  const left = await client.call('destroy', payloads.uid(uid)).then(
    () => `the probe key ${probe.name} (unique identifier ${uid}, pre-active) was destroyed`,
    (e: Error) => `the probe key ${probe.name} is left there as unique identifier ${uid}, pre-active: destroy it (${e.message})`,
  );
  throw new PolicyError('import.unwrap', `kmip ${where}`, `${why}; ${left}`);
}

export async function importBundle(provider: CryptoProvider, req: ImportRequest): Promise<Omit<Receipt, 'v' | 'kind'> & { manifest: BundleManifest }> {
  const size = req.batchSize ?? 50;
  const { manifest } = verifyBundle(provider, req.bundleText, req.roster, { fingerprint: req.transport.fingerprint, now: req.now() });
  checkRehearsal(manifest, req.rehearsal === true);
  checkNotExpired(req.transport, req.now(), 'transport');
  checkWrappingKeyCount(req.wrappedBy, req.clients.length);
  const wrappingKey = (i: number) => req.wrappedBy && (req.wrappedBy[i] ?? req.wrappedBy[0]!);
  const whereOf = (client: KmipClient) => `${client.endpoint.host}:${client.endpoint.port}`;
  const keys: Key[] = [];
  try {
    for (const k of manifest.keys) {
      const material = rsaAesUnwrap(provider, req.privateKey, base64.decode(k.wrapped));
      keys.push({ ...k, material });
      if (kcv(provider, material) !== k.kcv) throw new VerifyError('import.kcv', `bundle.manifest.keys.${k.name}.kcv`, 'the unwrapped key does not have the KCV the approvers signed');
    }
    req.say(`Bundle verified: ${keys.length} keys, approved by the roster's custodians; every KCV matches.`);
    // Every server's transport key is checked before anything is registered anywhere.
    for (const [i, client] of req.clients.entries()) {
      await client.negotiate();
      const uid = wrappingKey(i);
      if (uid !== undefined) await checkWrappingKey(provider, client, uid, req.transport, whereOf(client));
    }
    const servers: Receipt['servers'] = [];
    for (const [i, client] of req.clients.entries()) {
      const run: ServerRun = { provider, client, where: whereOf(client), keys, size };
      const wrappedBy = wrappingKey(i);
      const registration = (k: Key) =>
        payloads.register({
          ...(wrappedBy !== undefined ? { material: base64.decode(k.wrapped), wrappedBy, length: k.length } : { material: k.material }),
          name: k.name,
          usageMask: k.usage.reduce((m, u) => m | (MASK[u] ?? 0), 0),
          objectGroup: `custos:${manifest.ceremony}`,
          applicationInfo: { namespace: 'custos-kcv', data: k.kcv },
          ...(req.policyName && { operationPolicyName: req.policyName }),
        });
      const { outcome, toActivate } = await findPresent(run);
      const fresh = keys.filter((k) => !outcome.has(k.id));
      if (wrappedBy !== undefined && fresh.length > 0) {
        const probe = fresh.shift()!;
        outcome.set(probe.id, { uid: await probeWrapped(run, probe, registration(probe)), outcome: 'registered' });
      }
      const registered = await inBatches(client, fresh, size, 'register', registration);
      fresh.forEach((k, i) => outcome.set(k.id, { uid: readUid(expectSuccess(registered[i]!, 'register'), 'register'), outcome: 'registered' }));
      const freshUids = [...outcome.values()].filter((o) => o.outcome === 'registered');
      for (const r of await inBatches(client, [...freshUids, ...toActivate], size, 'activate', (o) => payloads.uid(o.uid))) expectSuccess(r, 'activate');
      // Read every key back and compare its KCV.
      const back = await inBatches(client, keys, size, 'get', (k) => payloads.uid(outcome.get(k.id)!.uid));
      keys.forEach((k, i) => {
        const got = readKcv(provider, expectSuccess(back[i]!, 'get'));
        const uid = outcome.get(k.id)!.uid;
        if (got.uid !== uid) throw new VerifyError('import.readback', `kmip ${run.where}`, `answered a Get of ${k.name} (${uid}) with object ${got.uid}`);
        if (got.kcv !== k.kcv) throw new VerifyError('import.readback', `kmip ${run.where}`, `${k.name} reads back with another KCV than ${k.kcv}`);
      });
      servers.push({ endpoint: run.where, subject: client.serverSubject, time: req.now().toISOString(), form: wrappedBy !== undefined ? 'wrapped' : 'unwrapped', keys: keys.map((k) => ({ id: k.id, name: k.name, kcv: k.kcv, ...outcome.get(k.id)! })) });
      const n = freshUids.length;
      req.say(`${run.where}: ${n} registered${wrappedBy !== undefined ? ' wrapped (the server unwrapped them)' : ''}, ${keys.length - n} already present; all ${keys.length} active and read back with their KCVs.`);
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
