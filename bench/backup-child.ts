/**
 * Runs in its own process so its peak RSS is its own: a backup ceremony of the vault in
 * argv[2] (real files, fsync, read-back), then the reference, raw node:crypto AES-256-GCM over
 * the same inventory bytes in the same 1 MiB segments. Prints one JSON line.
 */
import { createCipheriv } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readSync, statSync, mkdirSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { runBackup } from '../src/core/ceremony/backup';
import { parsePlan, type PlanOf } from '../src/core/plan/schema';
import { verifyRoster } from '../src/core/roster/roster';
import { decodeIdentity, sealIdentity } from '../src/core/roster/identity';
import { osRng } from '../src/node/platform';
import { cliPorts } from '../src/node/ceremony-ports';
import { existsSync, readFileSync, readdirSync } from 'node:fs';

const [vault, rosterFile, planFile, idsFile, inventory] = process.argv.slice(2) as [string, string, string, string, string];
const roster = verifyRoster((await import('../src/node/native-provider')).nativeProvider, readFileSync(rosterFile, 'utf8'));
const plan = parsePlan(readFileSync(planFile, 'utf8')) as PlanOf<'backup'>;
const ids = JSON.parse(readFileSync(idsFile, 'utf8')) as Record<string, string>;
const out = join(vault, '..', 'out');
mkdirSync(out, { recursive: true });
const base = cliPorts({
  outputDir: out,
  vaultDir: vault,
  transcriptFile: join(vault, plan.transcript),
  planDir: join(vault, '..'),
  answers: { identities: {}, sharePassphrases: {}, dice: {}, shares: {} },
  answersDir: '.',
  appVersion: 'bench',
  say: () => undefined,
});
// Each approver presents their identity sealed at a low work factor (unlocking is not what is measured).
const provider = (await import('../src/node/native-provider')).nativeProvider;
const ports = { ...base, unlock: async (id: string) => ({ file: await sealIdentity({ provider, rng: osRng }, decodeIdentity(Buffer.from(ids[id]!, 'hex')), 'bench', 10), passphrase: 'bench' }) };
const t0 = performance.now();
if (process.env.CUSTOS_BENCH_PHASES) {
  const { writeBackup } = await import('../src/core/backup/archive');
  void writeBackup;
}
await runBackup(ports, plan, roster, { planSha256: 'ab'.repeat(32), rehearsal: true });
const backupMs = performance.now() - t0;
// Peak RSS of this process image. On Linux getrusage's maxRSS survives exec and so includes
// the parent's size at fork; VmHWM belongs to this image alone.
const hwm = /VmHWM:\s+(\d+) kB/.exec(existsSync('/proc/self/status') ? readFileSync('/proc/self/status', 'utf8') : '');
const rssMiB = (hwm ? Number(hwm[1]) : process.resourceUsage().maxRSS) / 1024;
const archive = readdirSync(out).find((n) => !n.startsWith('.') && n !== 'reference.bin')!;
const archiveBytes = statSync(join(out, archive)).size;

// Reference: read the same inventory file and seal it with raw AES-256-GCM, 1 MiB segments.
const key = Buffer.alloc(32, 7);
const nonce = Buffer.alloc(12, 1);
const seg = 1 << 20;
const buf = Buffer.allocUnsafeSlow(seg);
let sink = 0;
const t1 = performance.now();
const fd = openSync(inventory, 'r');
for (let n; (n = readSync(fd, buf, 0, seg, null)) > 0; ) {
  const c = createCipheriv('aes-256-gcm', key, nonce);
  sink += c.update(buf.subarray(0, n)).length;
  c.final();
  sink += c.getAuthTag().length;
}
closeSync(fd);
const refMs = performance.now() - t1;

// Second reference: the same, writing the sealed segments to a new file and fsyncing it, the
// least any durable encrypted writer does.
const t2 = performance.now();
const fd2 = openSync(inventory, 'r');
const dst = openSync(join(out, 'reference.bin'), 'wx');
for (let n; (n = readSync(fd2, buf, 0, seg, null)) > 0; ) {
  const c = createCipheriv('aes-256-gcm', key, nonce);
  writeSync(dst, c.update(buf.subarray(0, n)));
  c.final();
  writeSync(dst, c.getAuthTag());
}
fsyncSync(dst);
closeSync(dst);
closeSync(fd2);
const refDurableMs = performance.now() - t2;
console.log(JSON.stringify({ backupMs, refMs, refDurableMs, rssMiB, bytes: statSync(inventory).size, archiveBytes, sink }));
