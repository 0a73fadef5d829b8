/** The key-server side of `custos`: `server enroll`, `import`, `verify receipt`. */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { InputError, PolicyError } from '../core/errors';
import { fromUtf8, toHex } from '../core/crypto/bytes';
import { checkFingerprint, parseTransportKey, type TransportKey } from '../core/documents/transport';
import { verifyRosterPin } from '../core/documents/roster-pin';
import { verifyBundle } from '../core/documents/bundle';
import type { RosterPin } from '../core/roster/roster';
import { PIN_OPTIONS, pinFromOptions, pinnedRoster, UNPINNED } from './trust';
import { KmipClient, parseEndpoint } from '../kmip/client';
import { checkKeyPair, enrollTransportKey, openTransportKey, signRosterPin } from '../kmip/enroll';
import { checkRehearsal, checkWrappingKeyCount, importBundle } from '../kmip/import';
import { signReceipt, verifyReceipt } from '../kmip/receipt';
import { writeNewFile } from '../node/durable';
import { nativeProvider } from '../node/native-provider';
import { osRng, systemClock } from '../node/platform';
import { ask } from '../node/prompt';
import { options, read, readBytes, type Io } from './io';

/** A passphrase from --passphrase-file (automation, tests) or typed without echo. */
function passphrase(opts: Map<string, string>, confirm: boolean, what: string): string {
  const file = opts.get('passphrase-file');
  if (file) return read(file, '--passphrase-file').replace(/\r?\n$/, '');
  const a = ask(`${what}: `, '--passphrase-file', true);
  if (confirm && ask('Type it again: ', '--passphrase-file', true) !== a) throw new InputError('prompt.mismatch', 'passphrase', 'the two passphrases differ');
  return a;
}

const SERVER_USAGE =
  'usage: custos server enroll --name NAME --kmip HOST:PORT [--kmip ...] --days N --out DIR [--passphrase-file F]\n' +
  '       custos server trust ROSTER --roster-words "8 words" --transport ENROLLMENT --transport-key KEYFILE --out PIN [--passphrase-file F] [--rehearsal yes]';

export async function serverCommand(args: string[], json: boolean, io: Io): Promise<void> {
  if (args[0] === 'trust') return serverTrustCommand(args.slice(1), json, io);
  if (args[0] !== 'enroll') throw new InputError('cli.usage', 'server', SERVER_USAGE);
  const { positional, opts, all } = options(args.slice(1), ['name', 'kmip', 'days', 'out', 'passphrase-file', 'rehearsal', 'work-factor']);
  if (positional.length || !opts.has('name') || !opts.has('out') || !opts.has('days'))
    throw new InputError('cli.usage', 'server enroll', 'usage: custos server enroll --name NAME --kmip HOST:PORT [--kmip ...] --days N --out DIR [--passphrase-file F]');
  const kmip = (all.get('kmip') ?? []).map((e) => {
    const ep = parseEndpoint(e);
    return `${ep.host}:${ep.port}`;
  });
  const name = opts.get('name')!;
  const out = opts.get('out')!;
  const files = [`${name}.transport.json`, `${name}.transport-key.age`].map((f) => path.join(out, f));
  const present = files.filter((f) => existsSync(f));
  if (present.length) throw new PolicyError('enroll.exists', '--out', `${present.map((f) => path.basename(f)).join(', ')} already exist: Custos never overwrites`);
  const wf = opts.get('work-factor');
  if (wf !== undefined && opts.get('rehearsal') !== 'yes') throw new InputError('cli.workFactor', '--work-factor', 'may only lower the scrypt work factor in a rehearsal');
  if (!/^\d+$/.test(opts.get('days')!)) throw new InputError('enroll.days', '--days', 'must be a number of days');
  const e = await enrollTransportKey(
    { provider: nativeProvider, rng: osRng, now: systemClock() },
    { name, kmip, days: Number(opts.get('days')), passphrase: passphrase(opts, true, 'Passphrase for the transport private key'), ...(wf !== undefined && { workFactor: Number(wf) }) },
  );
  writeNewFile(files[1]!, e.sealedKey); // the private key first: an enrollment never exists without its key
  writeNewFile(files[0]!, new TextEncoder().encode(e.text));
  const t = e.transport;
  if (json) io.out(JSON.stringify({ ok: true, enrollment: files[0], key: files[1], fingerprint: t.fingerprint, words: t.words.join(' '), expires: t.file.expires }) + '\n');
  else
    io.out(
      `transport key enrolled for ${name}, expires ${t.file.expires}\nenrollment (carry to the workstation): ${files[0]}\nprivate key (stays here, sealed): ${files[1]}\n` +
        `fingerprint ${t.fingerprint}\nread aloud: ${t.words.join(' ')}\n`,
    );
}

/**
 * `custos server trust ROSTER --roster-words ...`: the administrator checks the roster's words
 * against the enrollment paper once; the pin, signed with the transport key, is kept beside it.
 */
async function serverTrustCommand(args: string[], json: boolean, io: Io): Promise<void> {
  const { positional, opts, all } = options(args, ['roster-words', 'roster-sha256', 'previous-roster', 'transport', 'transport-key', 'out', 'passphrase-file', 'rehearsal']);
  if (positional.length !== 1 || !opts.has('transport') || !opts.has('transport-key') || !opts.has('out')) throw new InputError('cli.usage', 'server trust', SERVER_USAGE);
  const out = opts.get('out')!;
  if (existsSync(out)) throw new PolicyError('trust.exists', '--out', `${out} already exists: Custos never overwrites`);
  const pin = pinFromOptions(opts);
  if (!pin) throw new InputError('roster.unpinned', '--roster-words', 'is needed: read the eight words from the paper signed at enrollment (a pin is only as good as that check)');
  const roster = pinnedRoster(positional[0]!, all, pin);
  if (roster.rehearsal && opts.get('rehearsal') !== 'yes')
    throw new PolicyError('roster.rehearsal', 'roster', 'is a REHEARSAL roster (made from an unattended enrollment file, whose author holds every identity): pin it only for drills, with --rehearsal yes; real imports never trust it');
  const transport = parseTransportKey(nativeProvider, read(opts.get('transport')!, '--transport'), '--transport');
  const sealed = readBytes(opts.get('transport-key')!, '--transport-key');
  const privateKey = await openTransportKey(nativeProvider, sealed, passphrase(opts, false, 'Passphrase of the transport private key'));
  try {
    checkKeyPair(privateKey, transport, '--transport-key');
    const text = signRosterPin(
      { v: 1, kind: 'custos.roster-pin', organization: roster.roster.organization, roster: roster.fingerprint, words: roster.words.join(' '), pinned: systemClock().toISOString(), transport: transport.fingerprint, rehearsal: roster.rehearsal },
      privateKey,
    );
    writeNewFile(out, new TextEncoder().encode(text));
  } finally {
    privateKey.fill(0);
  }
  const people = roster.roster.participants.map((p) => `${p.id} (${p.roles.join(', ')})`);
  if (json) io.out(JSON.stringify({ ok: true, pin: out, roster: roster.fingerprint, organization: roster.roster.organization, participants: roster.roster.participants.length }) + '\n');
  else io.out(`${roster.rehearsal ? 'REHEARSAL ' : ''}roster of ${roster.roster.organization} pinned: ${out}\nparticipants: ${people.join(', ')}\nimports on this server may now give --trust ${out}\n`);
}

/** The roster pin for an import: from the command line, or the signed pin file of --trust. */
function importPin(opts: Map<string, string>, transport: TransportKey): RosterPin | undefined {
  const given = pinFromOptions(opts);
  if (!opts.has('trust')) return given;
  if (given) throw new InputError('cli.pin', '--trust', 'give the roster pin once: --trust, --roster-words or --roster-sha256');
  const pin = verifyRosterPin(nativeProvider, read(opts.get('trust')!, '--trust'), transport, '--trust');
  if (pin.rehearsal && opts.get('rehearsal') !== 'yes') throw new PolicyError('pin.rehearsal', '--trust', 'pins a REHEARSAL roster: it serves drills only (--rehearsal yes)');
  return { sha256: pin.roster };
}

/** The endpoints and server the bundle is for are the ones the transport key enrolled, unless the administrator says otherwise. */
function checkEndpoints(transport: TransportKey, endpoints: { host: string; port: number }[], bundleServer: string, allow: boolean): string[] {
  const enrolled = transport.file.server.kmip;
  const unlisted = endpoints.map((e) => `${e.host}:${e.port}`).filter((e) => !enrolled.includes(e));
  const problems = [
    ...unlisted.map((e) => `--kmip ${e} is not an endpoint the transport key was enrolled for (${enrolled.join(', ') || 'none'})`),
    ...(bundleServer === transport.file.server.name ? [] : [`the bundle is addressed to server "${bundleServer}", the transport key was enrolled for "${transport.file.server.name}"`]),
  ];
  // The field is what differs: an endpoint given, else the server the bundle names.
  if (problems.length && !allow) throw new PolicyError('import.endpoint', unlisted.length ? '--kmip' : 'bundle.manifest.recipient.server', `${problems.join('; ')}: check the command, or give --unlisted-endpoints allow to go on`);
  return problems;
}

const IMPORT_USAGE =
  'usage: custos import BUNDLE --roster ROSTER (--roster-words "8 words" | --roster-sha256 HEX | --trust PIN) [--previous-roster OLD ...] --transport ENROLLMENT --transport-key KEYFILE --kmip HOST:PORT [--kmip ...] --ca CA.pem --cert CERT.pem --key KEY.pem --receipt OUT [--policy NAME] [--wrapped UID [--wrapped UID ...]] [--passphrase-file F] [--unlisted-endpoints allow] [--rehearsal yes]';

function wrappedUid(v: string): string {
  if (!/^[\x21-\x7e]{1,200}$/.test(v)) throw new InputError('import.wrapped', '--wrapped', "must be the KMIP Unique Identifier of the transport public key's object on the server (1 to 200 visible characters)");
  return v;
}

export async function importCommand(args: string[], json: boolean, io: Io): Promise<void> {
  const { positional, opts, all } = options(args, [...PIN_OPTIONS, 'trust', 'transport', 'transport-key', 'kmip', 'ca', 'cert', 'key', 'receipt', 'policy', 'wrapped', 'passphrase-file', 'timeout', 'unlisted-endpoints', 'rehearsal']);
  for (const o of ['roster', 'transport', 'transport-key', 'kmip', 'ca', 'cert', 'key', 'receipt']) if (positional.length !== 1 || !opts.has(o)) throw new InputError('cli.usage', 'import', IMPORT_USAGE);
  const receiptFile = opts.get('receipt')!;
  if (existsSync(receiptFile)) throw new PolicyError('import.receipt', '--receipt', `${receiptFile} already exists: Custos never overwrites`);
  const endpoints = all.get('kmip')!.map((e) => parseEndpoint(e));
  const wrapped = all.get('wrapped')?.map(wrappedUid);
  checkWrappingKeyCount(wrapped, endpoints.length); // before the passphrase is asked for
  const rehearsal = opts.get('rehearsal');
  if (rehearsal !== undefined && rehearsal !== 'yes') throw new InputError('cli.option', '--rehearsal', 'takes the value "yes"');
  const allow = opts.get('unlisted-endpoints');
  if (allow !== undefined && allow !== 'allow') throw new InputError('cli.option', '--unlisted-endpoints', 'takes the value "allow"');
  const transport = parseTransportKey(nativeProvider, read(opts.get('transport')!, '--transport'), '--transport');
  const roster = pinnedRoster(opts.get('roster')!, all, importPin(opts, transport), `${UNPINNED}, or --trust PIN (recorded once on this server with custos server trust)`);
  if (roster.rehearsal && rehearsal !== 'yes')
    throw new PolicyError('roster.rehearsal', '--roster', 'is a REHEARSAL roster (made from an unattended enrollment file): a real import never trusts it; drill with --rehearsal yes');
  if (roster.chain.length > 1) io.err(`custos: the roster is trusted through ${roster.chain.length - 1} endorsed renewal(s) of the pinned one\n`);
  const bundleBytes = readBytes(positional[0]!, 'bundle');
  // Verified here to compare its addressee before anything else happens; the import verifies it again.
  const { manifest } = verifyBundle(nativeProvider, fromUtf8(bundleBytes, 'bundle'), roster, { fingerprint: transport.fingerprint, now: systemClock() });
  checkRehearsal(manifest, rehearsal === 'yes');
  for (const p of checkEndpoints(transport, endpoints, manifest.recipient.server, allow === 'allow')) io.err(`custos: WARNING: ${p} (--unlisted-endpoints allow)\n`);
  const tls = { ca: readBytes(opts.get('ca')!, '--ca'), cert: readBytes(opts.get('cert')!, '--cert'), key: readBytes(opts.get('key')!, '--key') };
  const timeoutMs = opts.has('timeout') ? Number(opts.get('timeout')) * 1000 : undefined;
  const tlsKey = Buffer.from(tls.key.buffer, tls.key.byteOffset, tls.key.byteLength); // one copy, shared, wiped at the end
  const clients = endpoints.map((ep) => new KmipClient(ep, { ca: Buffer.from(tls.ca), cert: Buffer.from(tls.cert), key: tlsKey }, timeoutMs ? { timeoutMs } : {}));
  let privateKey: Uint8Array | undefined;
  try {
    privateKey = await openTransportKey(nativeProvider, readBytes(opts.get('transport-key')!, '--transport-key'), passphrase(opts, false, 'Passphrase of the transport private key'));
    checkKeyPair(privateKey, transport, '--transport-key');
    const r = await importBundle(nativeProvider, {
      bundleText: fromUtf8(bundleBytes, 'bundle'),
      bundleSha256: toHex(nativeProvider.sha256(bundleBytes)),
      roster,
      transport,
      privateKey,
      clients,
      now: systemClock,
      ...(opts.has('policy') && { policyName: opts.get('policy')! }),
      ...(wrapped && { wrappedBy: wrapped }),
      rehearsal: rehearsal === 'yes',
      say: (s) => (json ? undefined : io.out(`${s}\n`)),
    });
    const { manifest, ...facts } = r;
    const text = signReceipt({ v: 1, kind: 'custos.receipt', ...facts }, privateKey);
    const sha256 = writeNewFile(receiptFile, new TextEncoder().encode(text));
    if (json) io.out(JSON.stringify({ ok: true, receipt: receiptFile, sha256, servers: facts.servers }) + '\n');
    else io.out(`imported ${manifest.keys.length} keys into ${facts.servers.length} server(s); signed receipt ${receiptFile} (carry it back to the workstation)\n`);
  } finally {
    privateKey?.fill(0);
    clients.forEach((c) => c.close());
    tlsKey.fill(0);
  }
}

export function verifyReceiptCommand(positional: string[], opts: Map<string, string>, json: boolean, io: Io): void {
  const usage = 'usage: custos verify receipt RECEIPT --transport ENROLLMENT --fingerprint HEX [--bundle BUNDLE]';
  if (positional.length !== 2 || !opts.has('transport')) throw new InputError('cli.usage', 'verify', usage);
  // The enrollment file is trusted only through the fingerprint confirmed by phone when it was pinned.
  if (!opts.has('fingerprint')) throw new InputError('transport.unpinned', '--fingerprint', `is needed: the transport key's 64-hex-digit fingerprint, as pinned in the export plan (${usage})`);
  const transport = parseTransportKey(nativeProvider, read(opts.get('transport')!, '--transport'), '--transport');
  checkFingerprint(transport, opts.get('fingerprint')!.toLowerCase(), '--transport');
  const r = verifyReceipt(read(positional[1]!, 'receipt'), transport);
  if (opts.has('bundle')) {
    const sha = toHex(nativeProvider.sha256(readBytes(opts.get('bundle')!, '--bundle')));
    if (sha !== r.bundle.sha256) throw new PolicyError('receipt.bundle', 'receipt.bundle.sha256', 'is the receipt of another bundle');
  }
  const keys = r.servers.flatMap((s) => s.keys.map((k) => ({ server: s.endpoint, ...k })));
  if (json) io.out(JSON.stringify({ ok: true, ...r }) + '\n');
  else io.out(`receipt verified: signed by the transport key of ${r.transport.server}\n` + keys.map((k) => `  ${k.server}  ${k.name}  ${k.kcv}  uid ${k.uid}  ${k.outcome}\n`).join(''));
}

