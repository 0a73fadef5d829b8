/**
 * The KMIP client against a real server (PyKMIP from Debian) over mutual TLS: version
 * negotiation, every operation the importer uses, several batch items in one message, the
 * server's refusals as clear errors, TLS failures named, and PyKMIP's own client reading what
 * Custos registered.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KmipClient, KmipConnectionError, parseEndpoint } from '../../src/kmip/client';
import { KmipError, payloads, readAttributes, readQuery, readSymmetricKey, readUid, readUids } from '../../src/kmip/messages';
import { REVOCATION_REASON, USAGE_MASK, QUERY_FUNCTION } from '../../src/kmip/tags';
import { seededRng } from '../../src/core/crypto/random';
import { pykmipGet, startKmipServer, type TestKmipServer } from '../helpers/kmip-server';
import { tool } from '../helpers/tools';

const run = tool('pykmip-server') && tool('openssl');
let server: TestKmipServer;
let client: KmipClient;

describe.runIf(run)('KMIP client against PyKMIP', () => {
  beforeAll(async () => {
    server = await startKmipServer();
    client = new KmipClient({ host: '127.0.0.1', port: server.port }, server.tls);
  }, 90_000);
  afterAll(() => {
    client?.close();
    server?.stop();
  });

  it('negotiates KMIP 1.4 and lists the operations the server supports', async () => {
    expect(await client.negotiate()).toEqual({ major: 1, minor: 4 });
    const q = readQuery(await client.call('query', payloads.query([QUERY_FUNCTION.operations, QUERY_FUNCTION.objects])));
    expect(q.operations).toEqual(expect.arrayContaining(['register', 'get', 'locate', 'activate', 'revoke', 'destroy', 'getAttributes']));
  });

  it('register, activate, get, locate, get attributes, revoke, destroy', async () => {
    const material = seededRng('kmip key')(32);
    const uid = readUid(
      await client.call(
        'register',
        payloads.register({ material, name: 'custos-test-kek', usageMask: USAGE_MASK.wrapKey | USAGE_MASK.unwrapKey, objectGroup: 'custos:ceremony-1', applicationInfo: { namespace: 'custos-kcv', data: 'cmac-aes:0a1b2c' }, operationPolicyName: 'shared' }),
      ),
      'register',
    );
    await client.call('activate', payloads.uid(uid));
    const got = readSymmetricKey(await client.call('get', payloads.uid(uid)), 'get');
    expect(got.material).toEqual(material);
    expect(got.length).toBe(256);
    expect(readUids(await client.call('locate', payloads.locateByName('custos-test-kek')))).toEqual([uid]);
    const attrs = readAttributes(await client.call('getAttributes', payloads.getAttributes(uid)));
    expect(attrs.map((a) => a.name)).toEqual(expect.arrayContaining(['Name', 'Object Group', 'Application Specific Information', 'State']));
    // a standard client that is not Custos finds it by name and reads the same key
    expect(pykmipGet(server, 'custos-test-kek')).toEqual([{ uid, hex: Buffer.from(material).toString('hex') }]);
    await client.call('revoke', payloads.revoke(uid, REVOCATION_REASON.cessationOfOperation));
    await client.call('destroy', payloads.uid(uid));
    await expect(client.call('get', payloads.uid(uid))).rejects.toThrow(KmipError);
  });

  it('sends several batch items in one message', async () => {
    const rng = seededRng('batch');
    const items = [1, 2, 3].map((i) => ({ operation: 'register' as const, payload: payloads.register({ material: rng(32), name: `custos-batch-${i}`, usageMask: USAGE_MASK.wrapKey, operationPolicyName: 'shared' }) }));
    const r = await client.batch(items);
    expect(r.map((x) => x.status)).toEqual(['success', 'success', 'success']);
    const uids = r.map((x) => readUid(x.payload!, 'register'));
    expect(new Set(uids).size).toBe(3);
  });

  it("the server's refusals are clear errors naming the operation and reason", async () => {
    await expect(client.call('get', payloads.uid('999999'))).rejects.toThrowError(/^kmip\.get: get failed: Item Not Found/);
    const raw = payloads.register({ material: new Uint8Array(32), name: 'custos-bad', usageMask: USAGE_MASK.encrypt });
    // An attribute PyKMIP does not accept at Register: Activation Date.
    const tmpl = raw[1]!;
    if (tmpl.type === 'structure')
      tmpl.value.push({ tag: 0x420008, type: 'structure', value: [{ tag: 0x42000a, type: 'textString', value: 'Activation Date' }, { tag: 0x42000b, type: 'dateTime', value: 1n }] });
    await expect(client.call('register', raw)).rejects.toThrowError(/^kmip\.register: register failed: Invalid Field \(server: .+\)/);
  });

  it('TLS: a wrong CA, a client certificate from another CA, an expired one, a closed port: each named', async () => {
    const wrongCa = new KmipClient({ host: '127.0.0.1', port: server.port }, { ...server.tls, ca: server.tls.cert }, { timeoutMs: 5000 });
    await expect(wrongCa.negotiate()).rejects.toThrowError(/not issued by the pinned CA/);
    wrongCa.close();
    const stranger = join(server.dir, 'stranger');
    execFileSync('sh', ['-c', `openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=stranger -keyout ${stranger}.key -out ${stranger}.crt 2>/dev/null`]);
    const foreign = new KmipClient({ host: '127.0.0.1', port: server.port }, { ...server.tls, cert: readFileSync(`${stranger}.crt`), key: readFileSync(`${stranger}.key`) }, { timeoutMs: 5000 });
    await expect(foreign.negotiate()).rejects.toThrow(KmipConnectionError);
    foreign.close();
    // A client certificate of the right CA that expired in 2024.
    const ca = join(server.dir, 'expired-ca');
    execFileSync('sh', [
      '-c',
      `mkdir -p ${ca} && cd ${ca} && touch index.txt && echo 01 > serial && printf '[ca]\\ndefault_ca=d\\n[d]\\ndatabase=index.txt\\nnew_certs_dir=.\\nserial=serial\\ndefault_md=sha256\\npolicy=p\\n[p]\\ncommonName=supplied\\n[ext]\\nextendedKeyUsage=clientAuth\\n' > ca.cnf && ` +
        `openssl req -newkey rsa:2048 -nodes -subj /CN=expired-client -keyout old.key -out old.csr 2>/dev/null && ` +
        `openssl ca -batch -config ca.cnf -extensions ext -cert ../pki/ca.crt -keyfile ../pki/ca.key -in old.csr -out old.crt -startdate 20240101000000Z -enddate 20240102000000Z 2>/dev/null`,
    ]);
    const expired = new KmipClient({ host: '127.0.0.1', port: server.port }, { ...server.tls, cert: readFileSync(join(ca, 'old.crt')), key: readFileSync(join(ca, 'old.key')) }, { timeoutMs: 5000 });
    await expect(expired.negotiate()).rejects.toThrowError(/^kmip 127\.0\.0\.1:\d+: the TLS handshake failed: .*certificate expired/);
    expired.close();
    const closed = new KmipClient({ host: '127.0.0.1', port: 1 }, server.tls, { timeoutMs: 5000 });
    await expect(closed.negotiate()).rejects.toThrowError(/connection refused/);
    expect(() => parseEndpoint('kms.example:99999')).toThrowError(/--kmip: "kms\.example:99999" must be HOST:PORT/);
    expect(parseEndpoint('[::1]:5696')).toEqual({ host: '::1', port: 5696 });
  });
});
