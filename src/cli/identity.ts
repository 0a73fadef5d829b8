/**
 * `custos identity request`: a participant makes their own identity on their own machine and
 * a public enrollment request to bring to the enrollment ceremony, so nobody else ever holds
 * their secret. The identity file is sealed with a passphrase they type; the request carries
 * only their public keys, signed.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { InputError, PolicyError } from '../core/errors';
import { ageRecipientOf, checkIdentityPassphrase, MIN_IDENTITY_PASSPHRASE_CHARS, newIdentity, sealIdentity, wipeIdentity } from '../core/roster/identity';
import { toHex } from '../core/crypto/bytes';
import { makeRequest } from '../core/roster/request';
import { participantWords } from '../core/roster/roster';
import { writeNewFile } from '../node/durable';
import { nativeProvider } from '../node/native-provider';
import { osRng, systemClock } from '../node/platform';
import { ask as terminalAsk } from '../node/prompt';
import { options, read, type Io } from './io';

export const IDENTITY_USAGE = 'usage: custos identity request --id ID --name "Full Name" --out DIR [--passphrase-file F]';

export async function identityCommand(args: string[], json: boolean, io: Io): Promise<void> {
  if (args[0] !== 'request') throw new InputError('cli.usage', 'identity', IDENTITY_USAGE);
  const { positional, opts } = options(args.slice(1), ['id', 'name', 'out', 'passphrase-file']);
  if (positional.length || !opts.has('id') || !opts.has('name') || !opts.has('out')) throw new InputError('cli.usage', 'identity request', IDENTITY_USAGE);
  const id = opts.get('id')!;
  const out = opts.get('out')!;
  const files = [path.join(out, `${id}.identity.age`), path.join(out, `${id}.request.json`)];
  const present = files.filter((f) => existsSync(f));
  if (present.length) throw new PolicyError('identity.exists', '--out', `${present.map((f) => path.basename(f)).join(', ')} already exist: Custos never overwrites`);
  const s = newIdentity(osRng, id);
  try {
    const request = makeRequest({ provider: nativeProvider, clock: systemClock }, s, opts.get('name')!); // checks the name before any passphrase is asked
    const ask = io.terminal ?? terminalAsk;
    let passphrase: string;
    if (opts.has('passphrase-file')) passphrase = read(opts.get('passphrase-file')!, '--passphrase-file').replace(/\r?\n$/, '');
    else {
      passphrase = ask(`${id}: choose the passphrase of your identity (only you know it; at least ${MIN_IDENTITY_PASSPHRASE_CHARS} characters): `, 'passphrase', true);
      if (ask(`${id}: type it again: `, 'passphrase', true) !== passphrase) throw new InputError('prompt.mismatch', 'passphrase', 'the two passphrases differ');
    }
    checkIdentityPassphrase(passphrase, 'passphrase');
    writeNewFile(files[0]!, await sealIdentity({ provider: nativeProvider, rng: osRng }, s, passphrase));
    writeNewFile(files[1]!, new TextEncoder().encode(request));
    const words = participantWords(nativeProvider, { signingKey: toHex(nativeProvider.ed25519PublicKey(s.signingSeed)), ageRecipient: ageRecipientOf(s.ageSecret) });
    if (json) io.out(JSON.stringify({ ok: true, identity: files[0], request: files[1], words: words.join(' ') }) + '\n');
    else
      io.out(
        `identity (yours alone; keep it on your own medium): ${files[0]}\nrequest (public; bring it to the enrollment ceremony): ${files[1]}\n` +
          `your key words, to compare at the ceremony: ${words.join(' ')}\n`,
      );
  } finally {
    wipeIdentity(s);
  }
}
