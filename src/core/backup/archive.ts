/**
 * The backup archive: the sealed inventory, roster and transcripts in one file, encrypted and
 * signed, written and read as a stream so memory stays bounded however large the inventory.
 *
 *   header line    canonical JSON + "\n": what is inside (names, sizes, SHA-256 of each file),
 *                  the share sets that can rebuild the master key, and the content key sealed
 *                  in a small age file to the inventory's backup recipient (whose identity is
 *                  derived from the master key: only a quorum can open a backup)
 *   body           the files one after the other, sealed with segmented AES-256-GCM
 *                  (src/core/crypto/stream.ts)
 *   trailer line   canonical JSON + "\n": a signed document whose manifest names the length and
 *                  SHA-256 of everything before it, approved by two custodians
 *   4 bytes        the trailer line's length, big-endian
 *
 * An auditor verifies the structure and the approvals without any key; a restore also opens
 * every segment (GCM) and checks every file's SHA-256.
 */
import { base64 } from '@scure/base';
import { z } from 'zod';
import { InputError, VerifyError } from '../errors';
import { toHex, utf8, wipe } from '../crypto/bytes';
import type { CryptoProvider } from '../crypto/provider';
import type { Rng } from '../crypto/random';
import { createStreamOpener, createStreamSealer, DEFAULT_SEGMENT_SIZE, STREAM_HEADER_LENGTH } from '../crypto/stream';
import { openAge, sealAge } from '../age';
import { ageRecipient, b64, documentHeader, hex, kcvSchema } from '../documents/fields';
import { canonicalJson, parseCanonicalJson } from '../transcript/canonical';
import { strictParse } from '../plan/strict';
import type { VerifiedRoster } from '../roster/roster';
import type { RandomAccess, StreamWriter } from '../ceremony/ports';
import { approve, checkApprovals, documentToText, parseSignedDocument, type SignedDocument } from '../documents/signed';
import type { IdentitySecrets } from '../roster/identity';

const INFO = utf8('custos/backup/v1');
const MAX_HEADER = 1 << 20;
const MAX_TRAILER = 64 * 1024;
const fileNameRe = /^[A-Za-z0-9][A-Za-z0-9._-]{0,200}$/;

export const backupHeaderSchema = z.strictObject({
  ...documentHeader,
  kind: z.literal('custos.backup'),
  masterKcv: kcvSchema,
  recipient: ageRecipient,
  contentKey: b64.max(4096),
  shareSets: z
    .array(z.strictObject({ setId: hex(32), keyId: hex(32), kcv: z.string(), threshold: z.int().min(2).max(255), count: z.int().min(2).max(255), custodians: z.array(z.string()).max(255), signer: hex(64), ceremony: hex(32) }))
    .max(1000),
  revoked: z.array(hex(32)).max(1000),
  files: z
    .array(z.strictObject({ name: z.string().regex(fileNameRe), size: z.int().min(0).max(Number.MAX_SAFE_INTEGER), sha256: hex(64), role: z.enum(['inventory', 'roster', 'transcript', 'earlier-roster']) }))
    .min(2)
    .max(10_000),
});
export type BackupHeader = z.infer<typeof backupHeaderSchema>;

export const backupSealSchema = z.strictObject({ v: z.literal(1), kind: z.literal('custos.backup-seal'), ceremony: hex(32), length: z.int().min(1), sha256: hex(64) });
export type BackupSeal = z.infer<typeof backupSealSchema>;

export interface BackupSource {
  name: string;
  role: 'inventory' | 'roster' | 'transcript' | 'earlier-roster';
  size: number;
  sha256: string;
  chunks(chunkSize: number): Iterable<Uint8Array>;
}

/**
 * Write an archive to `out` (not committed here). Every source is hashed as it is read and
 * must have the SHA-256 the header names, or the archive is refused before it is published.
 * Returns the header, the seal and the approvers.
 */
export async function writeBackup(
  ctx: { provider: CryptoProvider; rng: Rng },
  out: StreamWriter,
  h: Omit<BackupHeader, 'v' | 'kind' | 'contentKey' | 'files'>,
  sources: BackupSource[],
  approvers: IdentitySecrets[],
  segmentSize = DEFAULT_SEGMENT_SIZE,
  /** Called as content is sealed: (bytes so far, bytes in all). */
  onProgress?: (done: number, total: number) => void,
): Promise<{ header: BackupHeader; seal: BackupSeal; approvers: string[] }> {
  const { provider, rng } = ctx;
  const key = rng(32);
  try {
    const header: BackupHeader = {
      v: 1,
      kind: 'custos.backup',
      ...h,
      contentKey: base64.encode(await sealAge({ provider, rng }, key, { recipient: h.recipient })),
      files: sources.map((s) => ({ name: s.name, size: s.size, sha256: s.sha256, role: s.role })),
    };
    const headerLine = utf8(canonicalJson(header, 'backup.header') + '\n');
    if (headerLine.length > MAX_HEADER) throw new InputError('backup.header', 'backup.header', 'is too large');
    out.write(headerLine);
    const total = sources.reduce((a, s) => a + s.size, 0);
    const sealer = createStreamSealer(provider, rng, key, { segmentSize, info: INFO });
    out.write(sealer.header);
    const seg = new Uint8Array(segmentSize);
    let fill = 0;
    let done = 0;
    const emit = (pt: Uint8Array) => {
      done += pt.length;
      const [ct, tag] = sealer.seal(pt, done === total);
      out.write(ct);
      out.write(tag);
      onProgress?.(done, total);
    };
    for (const s of sources) {
      let seen = 0;
      // Each file is hashed as it is read: the archive holds exactly the bytes the transcripts recorded.
      const hash = provider.sha256Stream();
      for (const chunk of s.chunks(segmentSize)) {
        seen += chunk.length;
        hash.update(chunk);
        if (seen > s.size) throw new VerifyError('backup.source', s.name, 'grew while it was being backed up');
        let off = 0;
        // Aligned full chunks are sealed in place; the rest is gathered into one segment buffer.
        if (fill === 0 && chunk.length === segmentSize) {
          emit(chunk);
          off = chunk.length;
        }
        while (off < chunk.length) {
          const n = Math.min(segmentSize - fill, chunk.length - off);
          seg.set(chunk.subarray(off, off + n), fill);
          fill += n;
          off += n;
          if (fill === segmentSize && done + fill < total) {
            emit(seg);
            fill = 0;
          }
        }
      }
      if (seen !== s.size) throw new VerifyError('backup.source', s.name, `changed size while it was being backed up (${seen} bytes, not ${s.size})`);
      if (toHex(hash.digest()) !== s.sha256) throw new VerifyError('backup.source', s.name, 'is not the file the transcripts recorded (its SHA-256 differs): nothing was published');
    }
    if (done + fill !== total) throw new VerifyError('backup.source', 'sources', 'the sources did not add up to their sizes');
    if (fill > 0 || total === 0) emit(seg.subarray(0, fill));
    wipe(seg);
    const before = headerLine.length + STREAM_HEADER_LENGTH + total + 16 * Math.max(1, Math.ceil(total / segmentSize));
    const seal: BackupSeal = { v: 1, kind: 'custos.backup-seal', ceremony: h.ceremony, length: before, sha256: out.digest() };
    const doc: SignedDocument<BackupSeal> = { manifest: seal, approvals: approvers.map((a) => approve(provider, 'backup', seal, a)) };
    const trailer = utf8(documentToText(doc));
    out.write(trailer);
    const len = new Uint8Array(4);
    new DataView(len.buffer).setUint32(0, trailer.length);
    out.write(len);
    return { header, seal, approvers: approvers.map((a) => a.id) };
  } finally {
    wipe(key);
  }
}

export interface BackupLayout {
  header: BackupHeader;
  headerLength: number;
  bodyLength: number;
  seal: BackupSeal;
  approvers: string[];
}

const damaged = (field: string, why: string) => new VerifyError('backup.damaged', field, why);
const u32 = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(0);

/**
 * Verify an archive without any key: its layout, the SHA-256 of everything before the
 * trailer, and two distinct custodian approvals against the trusted roster.
 */
/**
 * Whether the archive's header says REHEARSAL, read without verifying anything: only to refuse
 * early with the right reason (undefined if the header cannot be read; verifyBackup decides).
 */
export function peekBackupRehearsal(file: RandomAccess): boolean | undefined {
  try {
    const probe = file.read(0, Math.min(file.size, MAX_HEADER));
    const header = JSON.parse(new TextDecoder().decode(probe.subarray(0, probe.indexOf(10)))) as { rehearsal?: unknown };
    return typeof header.rehearsal === 'boolean' ? header.rehearsal : undefined;
  } catch {
    return undefined;
  }
}

export function verifyBackup(provider: CryptoProvider, file: RandomAccess, roster: VerifiedRoster): BackupLayout {
  if (file.size < 4 + STREAM_HEADER_LENGTH + 16) throw damaged('backup', 'is too short to be a backup archive');
  const tl = u32(file.read(file.size - 4, 4));
  if (tl < 2 || tl > MAX_TRAILER || tl > file.size - 4) throw damaged('backup.trailer', 'its length field is out of range: the archive is truncated or altered');
  const before = file.size - 4 - tl;
  const doc = parseSignedDocument(new TextDecoder().decode(file.read(before, tl)), 'backup.trailer', backupSealSchema, 'a backup seal');
  if (doc.manifest.length !== before) throw damaged('backup.trailer.manifest.length', `names ${doc.manifest.length} bytes, but ${before} precede the trailer`);
  const approvers = checkApprovals(provider, 'backup', doc, roster, 'backup.trailer', { count: 2, role: 'custodian' });
  // The header line: read up to its newline, bounded.
  const probe = file.read(0, Math.min(before, MAX_HEADER));
  const nl = probe.indexOf(10);
  if (nl < 0) throw damaged('backup.header', 'has no end of line');
  let header: BackupHeader;
  try {
    header = strictParse(backupHeaderSchema, parseCanonicalJson(new TextDecoder('utf-8', { fatal: true }).decode(probe.subarray(0, nl)), 'backup.header'), 'backup.header', 'a backup header');
  } catch (e) {
    if (e instanceof InputError || e instanceof TypeError) throw damaged((e as InputError).field ?? 'backup.header', `${(e as Error).message} (the file is damaged or altered)`);
    throw e;
  }
  if (header.ceremony !== doc.manifest.ceremony) throw damaged('backup.trailer.manifest.ceremony', 'names another ceremony than the header');
  const total = header.files.reduce((a, f) => a + f.size, 0);
  const segmentSize = u32(file.read(nl + 1 + 40, 4));
  if (segmentSize < 16 || segmentSize > 1 << 26) throw damaged('backup.stream', 'has an impossible segment size');
  const body = STREAM_HEADER_LENGTH + total + 16 * Math.max(1, Math.ceil(total / segmentSize));
  if (nl + 1 + body !== before) throw damaged('backup.body', `is ${before - nl - 1} bytes; the header's files need ${body}`);
  if (file.sha256(before) !== doc.manifest.sha256) throw damaged('backup', 'its content does not match the SHA-256 the approvers signed: the archive was altered');
  return { header, headerLength: nl + 1, bodyLength: body, seal: doc.manifest, approvers };
}

/** Open the content key with the backup identity (derived from the master key). SECRET. */
export async function openContentKey(provider: CryptoProvider, header: BackupHeader, identity: string): Promise<Uint8Array> {
  const key = await openAge(provider, base64.decode(header.contentKey), { identity }, 4096, 'backup content key');
  if (key.length !== 32) {
    wipe(key);
    throw damaged('backup.header.contentKey', 'does not hold a 32-byte key');
  }
  return key;
}

/**
 * Decrypt the body and hand each file to `sink` piece by piece, in header order. Every
 * segment is authenticated before any of its bytes is passed on.
 */
export function* extractBackup(provider: CryptoProvider, file: RandomAccess, layout: BackupLayout, key: Uint8Array): Generator<{ file: BackupHeader['files'][number]; bytes: Uint8Array; end: boolean }> {
  const start = layout.headerLength;
  const opener = createStreamOpener(provider, key, file.read(start, STREAM_HEADER_LENGTH), { info: INFO });
  const sealed = opener.sealedSegmentSize;
  const files = layout.header.files;
  let fi = 0;
  let inFile = 0;
  let pos = start + STREAM_HEADER_LENGTH;
  const end = start + layout.bodyLength;
  try {
    while (pos < end) {
      const n = Math.min(sealed, end - pos);
      const pt = opener.open(file.read(pos, n), pos + n === end);
      pos += n;
      let off = 0;
      while (off < pt.length || (fi < files.length && files[fi]!.size === inFile)) {
        const f = files[fi];
        if (!f) throw damaged('backup.body', 'holds more than its files');
        const take = Math.min(f.size - inFile, pt.length - off);
        inFile += take;
        const last = inFile === f.size;
        yield { file: f, bytes: pt.subarray(off, off + take), end: last };
        off += take;
        if (last) {
          fi++;
          inFile = 0;
        }
      }
      wipe(pt);
    }
    if (fi !== files.length) throw damaged('backup.body', 'ended before its last file');
  } finally {
    opener.close();
  }
}
