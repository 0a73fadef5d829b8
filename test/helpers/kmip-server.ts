/** A throwaway PyKMIP server for tests, started with scripts/kmip-dev-server.sh on a free port. */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KmipTls } from '../../src/kmip/client';

export interface TestKmipServer {
  dir: string;
  port: number;
  /** The importer's identity (CN custos-importer). */
  tls: KmipTls;
  /** Another client of the same CA (CN another-client), as a vSphere or MongoDB would be. */
  other: KmipTls;
  /** SIGKILL, as a crash or a pulled cable would; the database and PKI stay. */
  kill(): void;
  /** Start again on the same port with the same database. */
  restart(): void;
  stop(): void;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Start a server; `sharePki` gives it the PKI of another (one CA and client identity for a cluster). */
export async function startKmipServer(sharePki?: TestKmipServer): Promise<TestKmipServer> {
  const dir = mkdtempSync(join(tmpdir(), 'custos-kmip-'));
  if (sharePki) cpSync(join(sharePki.dir, 'pki'), join(dir, 'pki'), { recursive: true });
  const port = await freePort();
  const start = () => execFileSync('bash', ['scripts/kmip-dev-server.sh', '--background', dir, String(port)], { stdio: ['ignore', 'pipe', 'inherit'], timeout: 60_000 });
  start();
  const pki = (n: string) => readFileSync(join(dir, 'pki', n));
  const pid = () => Number(readFileSync(join(dir, 'server.pid'), 'utf8'));
  return {
    kill() {
      const p = pid();
      try {
        process.kill(-p, 'SIGKILL');
      } catch {
        process.kill(p, 'SIGKILL');
      }
      spawnSync('sh', ['-c', `for i in $(seq 1 50); do kill -0 ${p} 2>/dev/null || exit 0; sleep 0.1; done`]);
    },
    restart: start,
    dir,
    port,
    tls: { ca: pki('ca.crt'), cert: pki('client.crt'), key: pki('client.key') },
    other: { ca: pki('ca.crt'), cert: pki('other.crt'), key: pki('other.key') },
    stop() {
      const pid = Number(readFileSync(join(dir, 'server.pid'), 'utf8'));
      try {
        process.kill(-pid, 'SIGINT'); // the whole process group
      } catch {
        // already gone
      }
      spawnSync('sh', ['-c', `for i in $(seq 1 50); do kill -0 ${pid} 2>/dev/null || exit 0; sleep 0.1; done; kill -9 ${pid}`]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** PyKMIP's own Python client (as a vSphere or MongoDB would be): locate by name and get each key's material. */
export function pykmipGet(server: TestKmipServer, name: string): { uid: string; hex: string }[] {
  const script = `
import sys, warnings
warnings.filterwarnings("ignore")
from kmip.pie.client import ProxyKmipClient
from kmip.core import enums
d, port, name = sys.argv[1], int(sys.argv[2]), sys.argv[3]
c = ProxyKmipClient(hostname='127.0.0.1', port=port, cert=d+'/pki/other.crt', key=d+'/pki/other.key', ca=d+'/pki/ca.crt', ssl_version='PROTOCOL_TLSv1_2', config_file='/dev/null', kmip_version=enums.KMIPVersion.KMIP_1_2)
with c:
    for u in c.locate(attributes=[c.attribute_factory.create_attribute(enums.AttributeType.NAME, name)]):
        print(u, bytes(c.get(u).value).hex())
`;
  const out = execFileSync('/usr/bin/python3', ['-c', script, server.dir, String(server.port), name], { encoding: 'utf8', timeout: 60_000 });
  return out
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const [uid, hex] = l.split(' ');
      return { uid: uid!, hex: hex! };
    });
}
