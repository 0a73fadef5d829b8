/** Asks one question on the terminal and prints the SHA-256 of the answer (never the answer). */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { ask } from '../../src/node/prompt';

const secret = process.argv[2] === 'secret';
// Tell the test it may start typing (it waits a moment more for the terminal to be set up).
if (process.env.PROBE_READY) writeFileSync(process.env.PROBE_READY, 'ready');
// A busy moment before the question (a key derivation, say): what is typed now is typed ahead.
const busy = Number(process.env.PROBE_BUSY_MS ?? 0);
if (busy) {
  process.stdout.write('probe: busy\n');
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, busy);
}
const a = ask('Answer: ', 'probe', secret);
process.stdout.write(`\nsha256=${createHash('sha256').update(a).digest('hex')}\n`);
