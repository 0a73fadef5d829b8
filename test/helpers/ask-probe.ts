/** Asks one question on the terminal and prints the SHA-256 of the answer (never the answer). */
import { createHash } from 'node:crypto';
import { ask } from '../../src/node/prompt';

const secret = process.argv[2] === 'secret';
const a = ask('Answer: ', 'probe', secret);
process.stdout.write(`\nsha256=${createHash('sha256').update(a).digest('hex')}\n`);
