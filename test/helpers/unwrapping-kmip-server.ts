/**
 * A small KMIP 1.2 server for tests, standing in for a key server that unwraps what it is given
 * (PyKMIP stores wrapped keys as sent). It speaks TTLV over mutual TLS through Custos' own codec
 * and answers Discover Versions, Register (a public key; a symmetric key, raw or wrapped with
 * RSA-AES to the private half of a public key it holds), Locate by Name, Get, Get Attributes
 * (State, Object Type), Activate and Destroy. Every request it receives is kept as bytes, so a test can
 * prove that no plaintext key crossed the wire.
 */
import { createServer, type Server } from 'node:tls';
import { decodeTtlv, encodeTtlv, type Item } from '../../src/kmip/ttlv';
import { OBJECT_TYPE, OPERATION, OPERATION_NAMES, TAG } from '../../src/kmip/tags';
import { rsaAesUnwrap } from '../../src/core/crypto/rsa-aes-wrap';
import { nativeProvider } from '../../src/node/native-provider';

type Obj = { type: 'public'; spki: Uint8Array } | { type: 'symmetric'; material: Uint8Array; wrapped: boolean };
interface Entry {
  obj: Obj;
  names: string[];
  state: number;
}

const s = (tag: number, value: Item[]): Item => ({ tag, type: 'structure', value });
const int = (tag: number, value: number): Item => ({ tag, type: 'integer', value });
const en = (tag: number, value: number): Item => ({ tag, type: 'enumeration', value });
const txt = (tag: number, value: string): Item => ({ tag, type: 'textString', value });
const bytes = (tag: number, value: Uint8Array): Item => ({ tag, type: 'byteString', value });
const kids = (it: Item | undefined): Item[] => (it?.type === 'structure' ? it.value : []);
const get = (it: Item | undefined, tag: number): Item | undefined => kids(it).find((c) => c.tag === tag);

class Refusal extends Error {
  constructor(
    readonly reason: number,
    message: string,
  ) {
    super(message);
  }
}

export interface UnwrappingServer {
  port: number;
  objects: Map<string, Entry>;
  requests: Uint8Array[];
  close(): Promise<void>;
}

export async function startUnwrappingServer(opts: {
  tls: { ca: Buffer; cert: Buffer; key: Buffer };
  /** The transport private key (PKCS#8) held by this server, and its public key (SPKI) registered as object "1". */
  transport: { pkcs8: Uint8Array; spki: Uint8Array };
  /** The transport public key's Unique Identifier here (default "1"). */
  transportUid?: string;
  /** Unwrap to a wrong key (a faulty or hostile server). */
  corrupt?: boolean;
  /** Refuse Get of a pre-active key (some servers do). */
  noGetBeforeActive?: boolean;
}): Promise<UnwrappingServer> {
  const objects = new Map<string, Entry>([[opts.transportUid ?? '1', { obj: { type: 'public', spki: opts.transport.spki }, names: ['transport'], state: 2 }]]);
  const requests: Uint8Array[] = [];
  let next = 2;
  const expectEnum = (it: Item | undefined, tag: number, value: number, what: string) => {
    const c = get(it, tag);
    if (c?.type !== 'enumeration' || c.value !== value) throw new Refusal(0x07, `${what} must be ${value}`);
  };

  const lookup = (p: Item | undefined): [string, Entry] => {
    const uid = get(p, TAG.uniqueIdentifier);
    const e = uid?.type === 'textString' ? objects.get(uid.value) : undefined;
    if (!e || uid?.type !== 'textString') throw new Refusal(0x01, 'no such object');
    return [uid.value, e];
  };

  const handlers: Partial<Record<keyof typeof OPERATION, (p: Item | undefined) => Item[]>> = {
    discoverVersions: () => [s(TAG.protocolVersion, [int(TAG.protocolVersionMajor, 1), int(TAG.protocolVersionMinor, 2)])],
    register(p) {
      const names = kids(get(p, TAG.templateAttribute))
        .filter((a) => get(a, TAG.attributeName)?.value === 'Name')
        .map((a) => get(get(a, TAG.attributeValue), TAG.nameValue)?.value as string);
      const pub = get(p, TAG.publicKey);
      let obj: Obj;
      if (pub) obj = { type: 'public', spki: get(get(get(pub, TAG.keyBlock), TAG.keyValue), TAG.keyMaterial)!.value as Uint8Array };
      else {
        const block = get(get(p, TAG.symmetricKey), TAG.keyBlock);
        const wrap = get(block, TAG.keyWrappingData);
        const value = get(block, TAG.keyValue);
        if (!wrap) obj = { type: 'symmetric', material: get(value, TAG.keyMaterial)?.value as Uint8Array, wrapped: false };
        else {
          // KMIP 1.2 §2.1.3/§2.1.5: a wrapped Key Value is a Byte String; RSA-AES as Custos names it.
          if (value?.type !== 'byteString') throw new Refusal(0x07, 'a wrapped Key Value must be a Byte String');
          const material = value.value;
          const info = get(wrap, TAG.encryptionKeyInformation);
          const params = get(info, TAG.cryptographicParameters);
          expectEnum(wrap, TAG.wrappingMethod, 1, 'Wrapping Method');
          expectEnum(wrap, TAG.encodingOption, 1, 'Encoding Option');
          expectEnum(params, TAG.blockCipherMode, 12, 'Block Cipher Mode');
          expectEnum(params, TAG.paddingMethod, 2, 'Padding Method');
          expectEnum(params, TAG.hashingAlgorithm, 6, 'Hashing Algorithm');
          expectEnum(params, TAG.cryptographicAlgorithm, 3, 'Cryptographic Algorithm');
          const [, by] = lookup(info);
          if (by.obj.type !== 'public' || by.obj.spki !== opts.transport.spki) throw new Refusal(0x07, 'not wrapped with a key this server can unwrap');
          const key = rsaAesUnwrap(nativeProvider, opts.transport.pkcs8, material);
          if (opts.corrupt) key[0]! ^= 1;
          obj = { type: 'symmetric', material: key, wrapped: false };
        }
      }
      const uid = String(next++);
      objects.set(uid, { obj, names, state: 1 });
      return [txt(TAG.uniqueIdentifier, uid)];
    },
    locate(p) {
      const want = get(get(get(p, TAG.attribute), TAG.attributeValue), TAG.nameValue)?.value;
      return [...objects].filter(([, e]) => e.names.includes(want as string)).map(([uid]) => txt(TAG.uniqueIdentifier, uid));
    },
    get(p) {
      const [uid, e] = lookup(p);
      if (opts.noGetBeforeActive && e.state === 1) throw new Refusal(0x0c, 'a pre-active key cannot be read');
      if (e.obj.type === 'public')
        return [en(TAG.objectType, OBJECT_TYPE.publicKey), txt(TAG.uniqueIdentifier, uid), s(TAG.publicKey, [s(TAG.keyBlock, [en(TAG.keyFormatType, 5), s(TAG.keyValue, [bytes(TAG.keyMaterial, e.obj.spki)]), en(TAG.cryptographicAlgorithm, 4), int(TAG.cryptographicLength, 4096)])])];
      const block = [en(TAG.keyFormatType, 1), s(TAG.keyValue, [bytes(TAG.keyMaterial, e.obj.material)]), en(TAG.cryptographicAlgorithm, 3), int(TAG.cryptographicLength, 256)];
      if (e.obj.wrapped) block.push(s(TAG.keyWrappingData, [en(TAG.wrappingMethod, 1)]));
      return [en(TAG.objectType, OBJECT_TYPE.symmetricKey), txt(TAG.uniqueIdentifier, uid), s(TAG.symmetricKey, [s(TAG.keyBlock, block)])];
    },
    getAttributes(p) {
      const [uid, e] = lookup(p);
      const wanted = kids(p).filter((c) => c.tag === TAG.attributeName).map((c) => c.value);
      const all: [string, number][] = [['State', e.state], ['Object Type', e.obj.type === 'public' ? OBJECT_TYPE.publicKey : OBJECT_TYPE.symmetricKey]];
      return [txt(TAG.uniqueIdentifier, uid), ...all.filter(([n]) => wanted.includes(n)).map(([n, v]) => s(TAG.attribute, [txt(TAG.attributeName, n), en(TAG.attributeValue, v)]))];
    },
    activate(p) {
      const [uid, e] = lookup(p);
      if (e.state !== 1) throw new Refusal(0x0c, 'not pre-active');
      e.state = 2;
      return [txt(TAG.uniqueIdentifier, uid)];
    },
    destroy(p) {
      const [uid, e] = lookup(p);
      if (e.state === 2) throw new Refusal(0x0c, 'an active object cannot be destroyed');
      objects.delete(uid);
      return [txt(TAG.uniqueIdentifier, uid)];
    },
  };

  const answer = (request: Uint8Array): Uint8Array => {
    const msg = decodeTtlv(request);
    const items = kids(msg)
      .filter((c) => c.tag === TAG.batchItem)
      .map((b) => {
        const op = get(b, TAG.operation)?.value as number;
        const id = get(b, TAG.uniqueBatchItemId);
        const head = [en(TAG.operation, op), ...(id ? [id] : [])];
        try {
          const h = handlers[OPERATION_NAMES.get(op) as keyof typeof OPERATION];
          if (!h) throw new Refusal(0x05, 'operation not supported');
          return s(TAG.batchItem, [...head, en(TAG.resultStatus, 0), s(TAG.responsePayload, h(get(b, TAG.requestPayload)))]);
        } catch (e) {
          const r = e instanceof Refusal ? e : new Refusal(0x100, (e as Error).message);
          return s(TAG.batchItem, [...head, en(TAG.resultStatus, 1), en(TAG.resultReason, r.reason), txt(TAG.resultMessage, r.message)]);
        }
      });
    const header = s(TAG.responseHeader, [s(TAG.protocolVersion, [int(TAG.protocolVersionMajor, 1), int(TAG.protocolVersionMinor, 2)]), { tag: TAG.timeStamp, type: 'dateTime', value: BigInt(Math.floor(Date.now() / 1000)) }, int(TAG.batchCount, items.length)]);
    return encodeTtlv(s(TAG.responseMessage, [header, ...items]));
  };

  const server: Server = createServer({ ...opts.tls, requestCert: true, rejectUnauthorized: true, minVersion: 'TLSv1.2' }, (sock) => {
    let buf = Buffer.alloc(0);
    sock.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 8 && buf.length >= 8 + buf.readUInt32BE(4)) {
        const n = 8 + buf.readUInt32BE(4);
        const req = new Uint8Array(buf.subarray(0, n));
        buf = buf.subarray(n);
        requests.push(req);
        sock.write(answer(req));
      }
    });
    sock.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    objects,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
