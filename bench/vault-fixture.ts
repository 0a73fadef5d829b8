/**
 * A vault with a real sealed inventory of N keys, for the backup benchmark: every key random,
 * wrapped with RFC 5649 under the inventory wrap key, with its KCV; the inventory MAC computed
 * exactly as src/core/inventory/inventory.ts does, streamed so memory stays flat; and a closed
 * generate transcript recording the file's SHA-256 and the share set.
 */
import { createCipheriv, createHash, createHmac } from 'node:crypto';
import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { base64 } from '@scure/base';
import { toHex, utf8 } from '../src/core/crypto/bytes';
import { kcv } from '../src/core/crypto/kcv';
import { deriveKeyId } from '../src/core/crypto/key-id';
import type { Rng } from '../src/core/crypto/random';
import { backupRecipientOf } from '../src/core/inventory/inventory';
import { splitMasterKey } from '../src/core/shares/split';
import { inventoryName } from '../src/core/ceremony/vault';
import { ATTEST, newChain, signEvent, type ChainState } from '../src/core/transcript/transcript';
import { nativeProvider as provider } from '../src/node/native-provider';
import type { IdentitySecrets } from '../src/core/roster/identity';

export async function writeVaultFixture(dir: string, n: number, rng: Rng, operator: IdentitySecrets, witness: IdentitySecrets, custodians: string[]) {
  const master = rng(32);
  const masterKeyId = toHex(deriveKeyId(provider, master));
  const wrapKey = provider.hkdfSha256(master, new Uint8Array(0), utf8('custos/inventory/v1/wrap'), 32);
  const macKey = provider.hkdfSha256(master, new Uint8Array(0), utf8('custos/inventory/v1/mac'), 32);
  const head = `{"backupRecipient":"${backupRecipientOf(provider, master)}","generation":0,"keys":[`;
  const tail = `],"kind":"custos.inventory",`;
  const rest = `"masterKcv":"${kcv(provider, master)}","masterKeyId":"${masterKeyId}","v":1}`;
  // The key list is written to its own file while the MAC runs over it, then the inventory is assembled around it.
  const mac = createHmac('sha256', macKey).update('custos/inventory/v1\0').update(head);
  const name = inventoryName(masterKeyId, 0);
  const file = join(dir, name);
  const fd = openSync(file, 'wx');
  const sha = createHash('sha256');
  const out = (s: string) => {
    const b = Buffer.from(s);
    sha.update(b);
    writeSync(fd, b);
  };
  // The MAC needs the whole list before the file's "mac" field: build the list in 4 MiB blocks, kept on disk.
  const listFile = join(dir, '.keys.tmp');
  const lf = openSync(listFile, 'wx');
  const created = '2026-11-28T10:00:00.000Z';
  let block = '';
  for (let i = 0; i < n; i++) {
    const material = rng(32);
    const w = createCipheriv('id-aes256-wrap-pad', wrapKey, Buffer.from('a65959a6', 'hex'));
    const wrapped = base64.encode(Buffer.concat([w.update(material), w.final()]));
    const name = `key-${String(i).padStart(7, '0')}`;
    block +=
      (i ? ',' : '') +
      `{"algorithm":"AES","created":"${created}","cryptoperiodDays":365,"history":[{"from":null,"reason":"generated","time":"${created}","to":"active"}],"id":"${toHex(rng(16))}","kcv":"${kcv(provider, material)}","length":256,"name":"${name}","state":"active","usage":["unwrap-key","wrap-key"],"wrapped":"${wrapped}"}`;
    if (block.length > 4 << 20 || i === n - 1) {
      mac.update(block);
      writeSync(lf, block);
      block = '';
    }
  }
  closeSync(lf);
  mac.update(tail).update(rest);
  out(head);
  const { readSync, openSync: o2, rmSync } = await import('node:fs');
  const rf = o2(listFile, 'r');
  const buf = Buffer.alloc(4 << 20);
  for (let r; (r = readSync(rf, buf, 0, buf.length, null)) > 0; ) {
    sha.update(buf.subarray(0, r));
    writeSync(fd, buf, 0, r);
  }
  closeSync(rf);
  rmSync(listFile);
  out(tail + `"mac":"${base64.encode(mac.digest())}",` + rest + '\n');
  closeSync(fd);
  const sha256 = sha.digest('hex');

  // A closed generate transcript that records this inventory and the share set.
  const split = await splitMasterKey({ provider, rng }, { masterKey: master, threshold: 2, count: custodians.length, signerSeed: operator.signingSeed });
  let chain: ChainState = newChain(rng);
  let text = '';
  let t = Date.parse(created);
  const clock = () => new Date((t += 1000));
  const add = (who: IdentitySecrets, type: string, data: Record<string, never> | { [k: string]: unknown }) => {
    const r = signEvent({ provider, clock }, chain, { actor: who.id, signerSeed: who.signingSeed, type, data: data as never });
    text += r.line;
    chain = r.state;
  };
  add(operator, 'ceremony.open', { kind: 'generate', operator: operator.id, witnesses: [witness.id], custodians, rehearsal: true });
  add(operator, 'shares.split', { setId: toHex(split.setId), keyId: masterKeyId, kcv: split.kcv, threshold: 2, count: custodians.length, custodians, signer: toHex(provider.ed25519PublicKey(operator.signingSeed)) });
  add(operator, 'inventory.written', { masterKeyId, masterKcv: kcv(provider, master), backupRecipient: backupRecipientOf(provider, master), generation: 0, sha256, name, keys: n });
  const closing = chain.head;
  add(witness, ATTEST, { head: closing });
  add(operator, ATTEST, { head: closing });
  const tf = openSync(join(dir, 'generate.jsonl'), 'wx');
  writeSync(tf, text);
  closeSync(tf);
  return { master, masterKeyId, inventory: file, records: split.records };
}
