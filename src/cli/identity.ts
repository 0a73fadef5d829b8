/**
 * `custos identity request`: a participant makes their own identity on their own machine and
 * a public enrollment request to bring to the enrollment ceremony, so nobody else ever holds
 * their secret. The identity file is sealed with a passphrase they type; the request carries
 * only their public keys, signed.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { CustosError, InputError, PolicyError, VerifyError } from '../core/errors';
import { ageIdentityString, ageRecipientOf, checkIdentityPassphrase, MIN_IDENTITY_PASSPHRASE_CHARS, newIdentity, openIdentity, sealIdentity, wipeIdentity } from '../core/roster/identity';
import { sealAge } from '../core/age';
import { toHex, wipe } from '../core/crypto/bytes';
import { makeRequest } from '../core/roster/request';
import { participantWords } from '../core/roster/roster';
import { writeNewFile } from '../node/durable';
import { nativeProvider } from '../node/native-provider';
import { osRng, systemClock } from '../node/platform';
import { ask as terminalAsk } from '../node/prompt';
import { options, read, readBytes, type Io } from './io';

export const IDENTITY_USAGE = `usage: custos identity request --id ID --name "Full Name" --out DIR [--passphrase-file F]
       custos identity export-age IDENTITY --out DIR [--unprotected yes] [--passphrase-file F] [--export-passphrase-file F]`;

export async function identityCommand(args: string[], json: boolean, io: Io): Promise<void> {
  if (args[0] === 'export-age') return exportAge(args.slice(1), json, io);
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

/**
 * `custos identity export-age`: a participant's age identity in the standard form, so the
 * standard `age` tool opens their recipient-protected share file if Custos is ever unavailable
 * (`age -d -i ID.age-identity.age alice.share.age`). By default the export is itself an age
 * file sealed with a passphrase the participant chooses (age asks for it); `--unprotected yes`
 * writes the bare AGE-SECRET-KEY line instead. Either way it goes to the folder they name,
 * never overwriting, readable by its owner only.
 */
async function exportAge(args: string[], json: boolean, io: Io): Promise<void> {
  const { positional, opts } = options(args, ['out', 'unprotected', 'passphrase-file', 'export-passphrase-file']);
  if (positional.length !== 1 || !opts.has('out')) throw new InputError('cli.usage', 'identity export-age', IDENTITY_USAGE);
  const unprotected = opts.get('unprotected');
  if (unprotected !== undefined && unprotected !== 'yes') throw new InputError('cli.option', '--unprotected', 'is "yes" or absent');
  if (unprotected && opts.has('export-passphrase-file')) throw new InputError('cli.option', '--export-passphrase-file', 'seals the export: it cannot be given with --unprotected yes');
  const out = opts.get('out')!;
  if (!existsSync(out)) throw new InputError('cli.read', '--out', `${out} is not an existing folder`);
  const file = readBytes(positional[0]!, 'identity');
  const ask = io.terminal ?? terminalAsk;
  const fromFile = (o: string) => read(opts.get(o)!, `--${o}`).replace(/\r?\n$/, '');
  const passphrase = opts.has('passphrase-file') ? fromFile('passphrase-file') : ask('identity passphrase (to export your age identity): ', 'passphrase', true);
  let s;
  try {
    s = await openIdentity(nativeProvider, file, passphrase);
  } catch (e) {
    if (e instanceof CustosError && e.code === 'file.passphrase') throw new VerifyError('identity.passphrase', 'passphrase', `does not open the identity file ${positional[0]!}`, { cause: e });
    throw e;
  }
  try {
    const recipient = ageRecipientOf(s.ageSecret);
    const target = path.join(out, unprotected ? `${s.id}.age-identity.txt` : `${s.id}.age-identity.age`);
    if (existsSync(target)) throw new PolicyError('identity.exists', '--out', `${path.basename(target)} already exists: Custos never overwrites`);
    const text = `# age identity of ${s.id}, exported by custos ${systemClock().toISOString()}\n# public key: ${recipient}\n${ageIdentityString(s.ageSecret)}\n`;
    let bytes: Uint8Array = new TextEncoder().encode(text);
    if (!unprotected) {
      let sealWith: string;
      if (opts.has('export-passphrase-file')) sealWith = fromFile('export-passphrase-file');
      else {
        sealWith = ask(`${s.id}: choose a passphrase for the exported identity (age asks for it; at least ${MIN_IDENTITY_PASSPHRASE_CHARS} characters): `, 'export-passphrase', true);
        if (ask(`${s.id}: type it again: `, 'export-passphrase', true) !== sealWith) throw new InputError('prompt.mismatch', 'export-passphrase', 'the two passphrases differ');
      }
      checkIdentityPassphrase(sealWith, 'export-passphrase');
      const plain = bytes;
      bytes = await sealAge({ provider: nativeProvider, rng: osRng }, plain, { passphrase: sealWith });
      wipe(plain);
    }
    const sha256 = writeNewFile(target, bytes);
    wipe(bytes);
    const how = unprotected ? `age -d -i ${target} SHARE.age` : `age -d -i ${target} SHARE.age (age asks for the passphrase you just chose)`;
    if (json) io.out(JSON.stringify({ ok: true, id: s.id, file: target, sha256, recipient, protected: !unprotected }) + '\n');
    else
      io.out(
        `age identity of ${s.id}${unprotected ? ' (UNPROTECTED: whoever reads this file opens your share; keep it offline, in your custody)' : ', sealed with your passphrase'}: ${target}\n` +
          `public key ${recipient}\nopen your share file with the standard tool: ${how}\n`,
      );
  } finally {
    wipeIdentity(s);
  }
}
