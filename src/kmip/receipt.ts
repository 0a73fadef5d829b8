/**
 * The import receipt: what was registered where (KMIP unique identifiers, the KCVs read back,
 * the servers and times), signed with the transport key (RSASSA-PSS, SHA-256, salt 32) so the
 * workstation can check it came from the key server it enrolled. One canonical JSON line:
 * `{"receipt":{...},"sig":"<base64>"}`, signature over "custos/receipt/v1" 0x00 and the
 * canonical receipt.
 */
import { constants, createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import { base64 } from '@scure/base';
import { InputError, VerifyError } from '../core/errors';
import { concat, utf8 } from '../core/crypto/bytes';
import { canonicalJson } from '../core/transcript/canonical';
import { receiptSchema, type Receipt } from '../core/documents/receipt';
import { parseDocumentLine } from '../core/documents/signed';
import { strictParse } from '../core/plan/strict';
import type { TransportKey } from '../core/documents/transport';

export type { Receipt };

const LABEL = utf8('custos/receipt/v1\0');
const PSS = { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 };

export function signReceipt(receipt: Receipt, pkcs8: Uint8Array): string {
  // A view, not Buffer.from(pkcs8), which would leave an unwiped copy of the private key.
  const key = createPrivateKey({ key: Buffer.from(pkcs8.buffer, pkcs8.byteOffset, pkcs8.byteLength), format: 'der', type: 'pkcs8' });
  const sig = sign('sha256', concat(LABEL, utf8(canonicalJson(receipt, 'receipt'))), { key, ...PSS });
  return canonicalJson({ receipt, sig: base64.encode(sig) }, 'receipt') + '\n';
}

/** Verify a receipt against the enrolled transport key. */
export function verifyReceipt(text: string, transport: TransportKey): Receipt {
  const { body, sig } = parseDocumentLine(text, 'receipt', ['receipt', 'sig'], (v) => {
    if (typeof v.sig !== 'string') throw new InputError('receipt.sig', 'receipt.sig', 'must be base64');
    let sig: Uint8Array;
    try {
      sig = base64.decode(v.sig);
    } catch (e) {
      throw new InputError('receipt.sig', 'receipt.sig', 'must be base64', { cause: e });
    }
    return { body: strictParse(receiptSchema, v.receipt, 'receipt', 'a receipt'), sig };
  });
  if (body.transport.fingerprint !== transport.fingerprint) throw new VerifyError('receipt.transport', 'receipt.transport.fingerprint', `names transport key ${body.transport.fingerprint}, not the enrolled ${transport.fingerprint}`);
  const key = createPublicKey({ key: Buffer.from(transport.spki), format: 'der', type: 'spki' });
  if (!verify('sha256', concat(LABEL, utf8(canonicalJson(body, 'receipt'))), { key, ...PSS }, sig)) throw new VerifyError('receipt.signature', 'receipt.sig', `is not a signature by the transport key of ${transport.file.server.name}`);
  return body;
}
