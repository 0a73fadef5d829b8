/** Asks one question on the terminal and prints the SHA-256 of the answer (never the answer). */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { ask } from '../../src/node/prompt';

const secret = process.argv[2] === 'secret';
// Tell the test it may start typing (it waits a moment more for the terminal to be set up).
if (process.env.PROBE_READY) writeFileSync(process.env.PROBE_READY, 'ready');
const a = ask('Answer: ', 'probe', secret);
process.stdout.write(`\nsha256=${createHash('sha256').update(a).digest('hex')}\n`);
