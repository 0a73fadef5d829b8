/**
 * KMIP request and response messages (KMIP 1.2 §7): a request holds a header (protocol
 * version, batch count) and one or more batch items (operation, payload); a response is read
 * strictly (its header, a batch count that matches, each item's result) and a failed item
 * becomes a KmipError that says the operation, the reason and the server's message.
 */
import { CustosError, InputError, VerifyError } from '../core/errors';
import { decodeTtlv, encodeTtlv, type Item } from './ttlv';
import { BLOCK_CIPHER_MODE, CRYPTOGRAPHIC_ALGORITHM, ENCODING_OPTION, HASHING_ALGORITHM, KEY_FORMAT_TYPE, NAME_TYPE, OBJECT_TYPE, OPERATION, OPERATION_NAMES, PADDING_METHOD, RESULT_REASON, TAG, USAGE_MASK, WRAPPING_METHOD, type OperationName } from './tags';

export interface ProtocolVersion {
  major: number;
  minor: number;
}

export interface RequestItem {
  operation: OperationName;
  payload: Item[];
}

export interface ResponseItem {
  operation: string;
  /** The Unique Batch Item ID it answers (the request's index), when the request had several. */
  id?: number;
  status: 'success' | 'failed' | 'pending' | 'undone';
  reason?: string;
  message?: string;
  payload?: Item & { type: 'structure' };
}

/** A KMIP operation the server refused or failed: what, why, and the server's own words. */
export class KmipError extends CustosError {
  readonly reason: string | undefined;
  constructor(operation: string, reason: string | undefined, message: string | undefined, field = `kmip.${operation}`) {
    super('verify', `kmip.${reason ? reason.toLowerCase().replace(/\s+/g, '-') : 'failed'}`, field, `${operation} failed: ${reason ?? 'no reason given'}${message ? ` (server: ${message})` : ''}`);
    this.name = 'KmipError';
    this.reason = reason;
  }
}

const s = (tag: number, value: Item[]): Item => ({ tag, type: 'structure', value });
const int = (tag: number, value: number): Item => ({ tag, type: 'integer', value });
const en = (tag: number, value: number): Item => ({ tag, type: 'enumeration', value });
const txt = (tag: number, value: string): Item => ({ tag, type: 'textString', value });

const batchId = (i: number): Item => ({ tag: TAG.uniqueBatchItemId, type: 'byteString', value: Uint8Array.of(i >>> 24, (i >>> 16) & 255, (i >>> 8) & 255, i & 255) });

export function encodeRequest(version: ProtocolVersion, items: RequestItem[]): Uint8Array {
  if (items.length === 0) throw new InputError('kmip.batch', 'items', 'a request needs at least one batch item');
  return encodeTtlv(
    s(TAG.requestMessage, [
      s(TAG.requestHeader, [s(TAG.protocolVersion, [int(TAG.protocolVersionMajor, version.major), int(TAG.protocolVersionMinor, version.minor)]), int(TAG.batchCount, items.length)]),
      // KMIP 1.2 §7.2: a Unique Batch Item ID is required when a message holds more than one item.
      ...items.map((it, i) =>
        s(TAG.batchItem, [en(TAG.operation, OPERATION[it.operation]), ...(items.length > 1 ? [batchId(i)] : []), s(TAG.requestPayload, it.payload)]),
      ),
    ]),
  );
}

const children = (it: Item): Item[] => (it.type === 'structure' ? it.value : []);
export const child = (it: Item | undefined, tag: number): Item | undefined => (it ? children(it).find((c) => c.tag === tag) : undefined);
const bad = (field: string, why: string) => new InputError('kmip.response', field, why);

type ValueOf<T extends Item['type']> = T extends 'structure'
  ? Item[]
  : T extends 'integer' | 'enumeration' | 'interval'
    ? number
    : T extends 'longInteger' | 'dateTime' | 'dateTimeExtended'
      ? bigint
      : T extends 'bigInteger' | 'byteString'
        ? Uint8Array
        : T extends 'boolean'
          ? boolean
          : string;

function need<T extends Item['type']>(it: Item | undefined, tag: number, type: T, field: string): Item & { type: T; value: ValueOf<T> } {
  const c = child(it, tag);
  if (!c) throw bad(field, 'is missing');
  if (c.type !== type) throw bad(field, `must be a ${type}, not a ${c.type}`);
  return c as Item & { type: T; value: ValueOf<T> };
}

export interface Response {
  version: ProtocolVersion;
  timeStamp: bigint;
  items: ResponseItem[];
}

export function decodeResponse(bytes: Uint8Array): Response {
  const top = decodeTtlv(bytes);
  if (top.tag !== TAG.responseMessage || top.type !== 'structure') throw bad('response', 'is not a KMIP Response Message');
  const header = need(top, TAG.responseHeader, 'structure', 'response.header');
  const pv = need(header, TAG.protocolVersion, 'structure', 'response.header.protocolVersion');
  const version = { major: need(pv, TAG.protocolVersionMajor, 'integer', 'response.header.protocolVersion.major').value, minor: need(pv, TAG.protocolVersionMinor, 'integer', 'response.header.protocolVersion.minor').value };
  const timeStamp = need(header, TAG.timeStamp, 'dateTime', 'response.header.timeStamp').value;
  const count = need(header, TAG.batchCount, 'integer', 'response.header.batchCount').value;
  const batch = top.value.filter((c) => c.tag === TAG.batchItem);
  if (batch.length !== count) throw bad('response.header.batchCount', `says ${count} items, the message holds ${batch.length}`);
  const items = batch.map((b, i): ResponseItem => {
    const f = `response.batchItem[${i}]`;
    if (b.type !== 'structure') throw bad(f, 'must be a structure');
    const op = child(b, TAG.operation);
    const status = need(b, TAG.resultStatus, 'enumeration', `${f}.resultStatus`).value;
    const statusName = (['success', 'failed', 'pending', 'undone'] as const)[status];
    if (!statusName) throw bad(`${f}.resultStatus`, `${status} is not a result status`);
    const reason = child(b, TAG.resultReason);
    const message = child(b, TAG.resultMessage);
    const payload = child(b, TAG.responsePayload);
    const id = child(b, TAG.uniqueBatchItemId);
    if (payload && payload.type !== 'structure') throw bad(`${f}.responsePayload`, 'must be a structure');
    return {
      operation: op?.type === 'enumeration' ? (OPERATION_NAMES.get(op.value) ?? `operation ${op.value}`) : 'unknown',
      status: statusName,
      ...(id?.type === 'byteString' && id.value.length === 4 && { id: new DataView(id.value.buffer, id.value.byteOffset, 4).getUint32(0) }),
      ...(reason?.type === 'enumeration' && { reason: RESULT_REASON[reason.value] ?? `reason 0x${reason.value.toString(16)}` }),
      ...(message?.type === 'textString' && { message: message.value.slice(0, 500) }),
      ...(payload?.type === 'structure' && { payload }),
    };
  });
  return { version, timeStamp, items };
}

/** The payload of a successful item; a failed one is a KmipError. */
export function expectSuccess(item: ResponseItem, expected: OperationName): Item & { type: 'structure' } {
  if (item.status !== 'success') throw new KmipError(expected, item.reason, item.message);
  if (item.operation !== expected) throw bad('response.operation', `answers ${item.operation}, not ${expected}`);
  return item.payload ?? { tag: TAG.responsePayload, type: 'structure', value: [] };
}

// --- request payloads ---------------------------------------------------------------------

const attribute = (name: string, value: Item): Item => s(TAG.attribute, [txt(TAG.attributeName, name), { ...value, tag: TAG.attributeValue } as Item]);
const nameValue = (name: string): Item => s(TAG.attributeValue, [txt(TAG.nameValue, name), en(TAG.nameType, NAME_TYPE.uninterpretedTextString)]);

export interface SymmetricKeyRegistration {
  /** SECRET: the raw AES key; or, with `wrappedBy`, its RSA-AES wrap as the bundle carries it. */
  material: Uint8Array;
  /**
   * Register the wrapped form: `material` is C1 || C2 of CKM_RSA_AES_KEY_WRAP to the transport
   * key, whose public key is the server's object `wrappedBy`; the server unwraps it. The Key
   * Value is then that Byte String (KMIP 1.2 §2.1.3), and Key Wrapping Data says how: Wrapping
   * Method Encrypt; the key's Unique Identifier with Cryptographic Parameters Block Cipher Mode
   * AES Key Wrap Padding (RFC 5649, the AES part), Padding Method OAEP and Hashing Algorithm
   * SHA-256 (the RSA part) and Cryptographic Algorithm AES (the convention of KMIP servers that
   * implement RSA-AES unwrapping); Encoding Option No Encoding.
   */
  wrappedBy?: string;
  /** Bits of the key inside (the wrapped form is longer than the key). */
  length?: number;
  name: string;
  usageMask: number;
  objectGroup?: string;
  applicationInfo?: { namespace: string; data: string };
  operationPolicyName?: string;
}

function keyWrappingData(uid: string): Item {
  return s(TAG.keyWrappingData, [
    en(TAG.wrappingMethod, WRAPPING_METHOD.encrypt),
    s(TAG.encryptionKeyInformation, [
      txt(TAG.uniqueIdentifier, uid),
      s(TAG.cryptographicParameters, [
        en(TAG.blockCipherMode, BLOCK_CIPHER_MODE.aesKeyWrapPadding),
        en(TAG.paddingMethod, PADDING_METHOD.oaep),
        en(TAG.hashingAlgorithm, HASHING_ALGORITHM.sha256),
        en(TAG.cryptographicAlgorithm, CRYPTOGRAPHIC_ALGORITHM.AES),
      ]),
    ]),
    en(TAG.encodingOption, ENCODING_OPTION.noEncoding),
  ]);
}

/** Register's payload: Object Type, the Template-Attribute, and the object holding its Key Block. */
function registration(objectType: number, objectTag: number, attrs: Item[], keyBlock: Item[]): Item[] {
  return [en(TAG.objectType, objectType), s(TAG.templateAttribute, attrs), s(objectTag, [s(TAG.keyBlock, keyBlock)])];
}

export const payloads = {
  register(k: SymmetricKeyRegistration): Item[] {
    const attrs = [attribute('Cryptographic Usage Mask', int(0, k.usageMask)), attribute('Name', nameValue(k.name))];
    if (k.objectGroup) attrs.push(attribute('Object Group', txt(0, k.objectGroup)));
    if (k.applicationInfo) attrs.push(attribute('Application Specific Information', s(0, [txt(TAG.applicationNamespace, k.applicationInfo.namespace), txt(TAG.applicationData, k.applicationInfo.data)])));
    if (k.operationPolicyName) attrs.push(attribute('Operation Policy Name', txt(0, k.operationPolicyName)));
    return registration(OBJECT_TYPE.symmetricKey, TAG.symmetricKey, attrs, [
      en(TAG.keyFormatType, KEY_FORMAT_TYPE.raw),
      // KMIP 1.2 §2.1.3: a wrapped Key Value is a Byte String (with No Encoding, the wrap of the key material).
      k.wrappedBy !== undefined ? { tag: TAG.keyValue, type: 'byteString', value: k.material } : s(TAG.keyValue, [{ tag: TAG.keyMaterial, type: 'byteString', value: k.material }]),
      en(TAG.cryptographicAlgorithm, CRYPTOGRAPHIC_ALGORITHM.AES),
      int(TAG.cryptographicLength, k.length ?? k.material.length * 8),
      ...(k.wrappedBy !== undefined ? [keyWrappingData(k.wrappedBy)] : []),
    ]);
  },
  /** A public key (DER SubjectPublicKeyInfo, format X.509) under a name. */
  registerPublicKey(spki: Uint8Array, name: string, bits: number, operationPolicyName?: string): Item[] {
    const attrs = [attribute('Cryptographic Usage Mask', int(0, USAGE_MASK.encrypt | USAGE_MASK.wrapKey)), attribute('Name', nameValue(name))];
    if (operationPolicyName) attrs.push(attribute('Operation Policy Name', txt(0, operationPolicyName)));
    return registration(OBJECT_TYPE.publicKey, TAG.publicKey, attrs, [
      en(TAG.keyFormatType, KEY_FORMAT_TYPE.x509),
      s(TAG.keyValue, [{ tag: TAG.keyMaterial, type: 'byteString', value: spki }]),
      en(TAG.cryptographicAlgorithm, CRYPTOGRAPHIC_ALGORITHM.RSA),
      int(TAG.cryptographicLength, bits),
    ]);
  },
  uid: (uid: string): Item[] => [txt(TAG.uniqueIdentifier, uid)],
  locateByName: (name: string): Item[] => [attribute('Name', nameValue(name))],
  getAttributes: (uid: string, names: string[] = []): Item[] => [txt(TAG.uniqueIdentifier, uid), ...names.map((n) => txt(TAG.attributeName, n))],
  revoke: (uid: string, code: number): Item[] => [txt(TAG.uniqueIdentifier, uid), s(TAG.revocationReason, [en(TAG.revocationReasonCode, code)])],
  query: (functions: number[]): Item[] => functions.map((f) => en(TAG.queryFunction, f)),
  discoverVersions: (versions: ProtocolVersion[]): Item[] => versions.map((v) => s(TAG.protocolVersion, [int(TAG.protocolVersionMajor, v.major), int(TAG.protocolVersionMinor, v.minor)])),
};

// --- response payloads --------------------------------------------------------------------

export function readUid(p: Item, field: string): string {
  return need(p, TAG.uniqueIdentifier, 'textString', `${field}.uniqueIdentifier`).value;
}

/** SECRET: the key material of a Get response for a raw symmetric key. The caller wipes it. */
export function readSymmetricKey(p: Item, field: string): { uid: string; material: Uint8Array; algorithm: number; length: number } {
  const uid = readUid(p, field);
  const block = need(need(p, TAG.symmetricKey, 'structure', `${field}.symmetricKey`), TAG.keyBlock, 'structure', `${field}.keyBlock`);
  if (child(block, TAG.keyWrappingData)) throw new KeyStillWrapped(`${field}.keyBlock.keyWrappingData`);
  const format = need(block, TAG.keyFormatType, 'enumeration', `${field}.keyBlock.keyFormatType`).value;
  if (format !== KEY_FORMAT_TYPE.raw && format !== KEY_FORMAT_TYPE.transparentSymmetricKey) throw bad(`${field}.keyBlock.keyFormatType`, `format ${format} is not a raw key`);
  const value = need(block, TAG.keyValue, 'structure', `${field}.keyBlock.keyValue`);
  const m = child(value, TAG.keyMaterial);
  const inner = m?.type === 'structure' ? child(m, 0x42003f) : m; // Transparent Symmetric Key: its Key (0x42003F)
  if (inner?.type !== 'byteString') throw bad(`${field}.keyBlock.keyValue.keyMaterial`, 'is missing');
  const bytes = inner.value;
  return {
    uid,
    material: bytes,
    algorithm: need(block, TAG.cryptographicAlgorithm, 'enumeration', `${field}.keyBlock.cryptographicAlgorithm`).value,
    length: need(block, TAG.cryptographicLength, 'integer', `${field}.keyBlock.cryptographicLength`).value,
  };
}

/** A Get answered with the key still wrapped: the server stored the key block as sent. */
export class KeyStillWrapped extends VerifyError {
  constructor(field: string) {
    super('kmip.stillWrapped', field, 'the server returned the key still wrapped: it stored the key block as sent and did not unwrap it');
    this.name = 'KeyStillWrapped';
  }
}

/** A public key of a Get response, as DER SubjectPublicKeyInfo (X.509 form; PKCS#1 is converted by the caller). */
export function readPublicKey(p: Item, field: string): { format: 'spki' | 'pkcs1'; der: Uint8Array } {
  const pk = child(p, TAG.publicKey);
  if (!pk) {
    const t = child(p, TAG.objectType);
    throw bad(`${field}.objectType`, `is ${t?.type === 'enumeration' ? `object type ${t.value}` : 'not given'}, not a public key`);
  }
  const block = need(pk, TAG.keyBlock, 'structure', `${field}.keyBlock`);
  if (child(block, TAG.keyWrappingData)) throw new KeyStillWrapped(`${field}.keyBlock.keyWrappingData`);
  const format = need(block, TAG.keyFormatType, 'enumeration', `${field}.keyBlock.keyFormatType`).value;
  const m = child(need(block, TAG.keyValue, 'structure', `${field}.keyBlock.keyValue`), TAG.keyMaterial);
  if (m?.type !== 'byteString') throw bad(`${field}.keyBlock.keyValue.keyMaterial`, 'must be the DER bytes of the key');
  if (format === KEY_FORMAT_TYPE.x509) return { format: 'spki', der: m.value };
  if (format === KEY_FORMAT_TYPE.pkcs1) return { format: 'pkcs1', der: m.value };
  throw bad(`${field}.keyBlock.keyFormatType`, `format ${format} is neither X.509 nor PKCS#1`);
}

export function readUids(p: Item): string[] {
  return children(p)
    .filter((c) => c.tag === TAG.uniqueIdentifier)
    .map((c, i) => {
      if (c.type !== 'textString') throw bad(`locate.uniqueIdentifier[${i}]`, 'must be a text string');
      return c.value;
    });
}

export function readVersions(p: Item): ProtocolVersion[] {
  return children(p)
    .filter((c) => c.tag === TAG.protocolVersion)
    .map((c, i) => ({ major: need(c, TAG.protocolVersionMajor, 'integer', `versions[${i}].major`).value, minor: need(c, TAG.protocolVersionMinor, 'integer', `versions[${i}].minor`).value }));
}

export interface AttributeValue {
  name: string;
  value: Item;
}

/** Attributes of a Get Attributes response (KMIP 1.x form). */
export function readAttributes(p: Item): AttributeValue[] {
  return children(p)
    .filter((c) => c.tag === TAG.attribute)
    .map((a, i) => ({ name: need(a, TAG.attributeName, 'textString', `attributes[${i}].name`).value, value: child(a, TAG.attributeValue) ?? s(TAG.attributeValue, []) }));
}

export function readQuery(p: Item): { operations: string[]; vendor?: string } {
  const ops = children(p)
    .filter((c) => c.tag === TAG.operation && c.type === 'enumeration')
    .map((c) => OPERATION_NAMES.get(c.value as number) ?? `operation ${c.value as number}`);
  const v = child(p, TAG.vendorIdentification);
  return { operations: ops, ...(v?.type === 'textString' && { vendor: v.value }) };
}
