/**
 * The import receipt's content (signed on the key-server host with the transport key, see
 * src/kmip/receipt.ts): what was registered where, the KMIP unique identifiers and the KCVs
 * read back. The workstation records it in a confirm-import ceremony.
 */
import { z } from 'zod';
import { hex, kcvSchema, utc } from './fields';

export const receiptSchema = z.strictObject({
  v: z.literal(1),
  kind: z.literal('custos.receipt'),
  bundle: z.strictObject({ sha256: hex(64), ceremony: hex(32), transcriptHead: hex(64) }),
  transport: z.strictObject({ server: z.string().min(1).max(200), fingerprint: hex(64) }),
  rehearsal: z.boolean(),
  servers: z
    .array(
      z.strictObject({
        endpoint: z.string().min(1).max(300),
        subject: z.string().max(300),
        time: utc,
        /** How the key material went: unwrapped on the key-server host and sent over mutual TLS, or wrapped for the server to unwrap. */
        form: z.enum(['unwrapped', 'wrapped']),
        keys: z.array(z.strictObject({ id: hex(32), name: z.string().min(1).max(200), uid: z.string().min(1).max(200), kcv: kcvSchema, outcome: z.enum(['registered', 'present']) })).max(100_000),
      }),
    )
    .min(1)
    .max(16),
});
export type Receipt = z.infer<typeof receiptSchema>;
