/**
 * System tools the interop tests use. On a developer machine a missing tool skips its tests
 * with a message saying what to install; with CI=true a missing tool fails the run.
 */
import { spawnSync } from 'node:child_process';

const INSTALL: Record<string, string> = {
  age: 'apt-get install -y age',
  openssl: 'apt-get install -y openssl',
  zbarimg: 'apt-get install -y zbar-tools',
  pdftoppm: 'apt-get install -y poppler-utils',
  pdftotext: 'apt-get install -y poppler-utils',
  qrencode: 'apt-get install -y qrencode',
  script: 'apt-get install -y bsdutils',
  chromium: 'apt-get install -y chromium',
  'pykmip-server': 'apt-get install -y --no-install-recommends python3-pykmip',
  python3: 'apt-get install -y python3',
};

export function hasTool(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

/** True when the tests that need `name` should run; throws in CI when it is missing. */
export function tool(name: string): boolean {
  if (hasTool(name)) return true;
  const how = INSTALL[name] ?? `install ${name}`;
  if (process.env.CI === 'true') throw new Error(`CI=true and the tool "${name}" is missing: ${how}`);
  console.warn(`skipping tests that need "${name}": it is not installed (${how})`);
  return false;
}
