// `npm start`: build, then launch the desktop app in Electron. The Electron binary is found the
// way the electron package's index.js finds it (ELECTRON_OVERRIDE_DIST_PATH, else
// node_modules/electron/dist; the executable's name in node_modules/electron/path.txt), but
// without its download on first launch: an offline machine gets one message saying which
// archive to bring and where to put it. CUSTOS_START_SKIP_BUILD=1 launches without building.
// Arguments after `npm start --` are passed to Electron.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkgDir = dirname(createRequire(import.meta.url).resolve('electron/package.json'));
const { version } = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));

/** The executable's path inside an unzipped Electron archive (install.js getPlatformPath). */
const platformPath = { darwin: 'Electron.app/Contents/MacOS/Electron', win32: 'electron.exe' }[process.platform] ?? 'electron';
/** Electron's name for this machine's architecture (@electron/get getNodeArch). */
const arch = process.arch === 'arm' ? 'armv7l' : process.arch;
const archive = `electron-v${version}-${process.platform}-${arch}.zip`;

const pathTxt = join(pkgDir, 'path.txt');
const exeName = (existsSync(pathTxt) && readFileSync(pathTxt, 'utf8').trim()) || platformPath;
const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
const binary = join(override || join(pkgDir, 'dist'), exeName);

/** A path as the user would type it from the project folder. */
const shown = (p) => {
  const r = relative(process.cwd(), p);
  return r && !r.startsWith('..') && !isAbsolute(r) ? r : p;
};

function missingMessage() {
  const checksums = JSON.parse(readFileSync(join(pkgDir, 'checksums.json'), 'utf8'));
  const sha256 = checksums[archive];
  const where = override
    ? `ELECTRON_OVERRIDE_DIST_PATH is ${override}, but it holds no ${exeName}.`
    : `There is no Electron binary at ${shown(binary)} (the electron package downloads it on first launch, which needs the network).`;
  return [
    `npm start: cannot launch the desktop app. ${where}`,
    `Custos needs Electron ${version} (${shown(join(pkgDir, 'package.json'))}). On a machine with network access, download`,
    `  ${archive}`,
    `  from https://github.com/electron/electron/releases/download/v${version}/${archive}`,
    sha256 ? `  SHA-256 ${sha256} (as listed in ${shown(join(pkgDir, 'checksums.json'))})` : `  (Electron ${version} publishes no build for ${process.platform}-${arch}.)`,
    'bring it here, and either unzip it into the electron package and name the executable in path.txt:',
    `  unzip ${archive} -d ${shown(join(pkgDir, 'dist'))}`,
    `  printf '${platformPath}' > ${shown(pathTxt)}`,
    'or unzip it into any folder and point ELECTRON_OVERRIDE_DIST_PATH at that folder:',
    '  ELECTRON_OVERRIDE_DIST_PATH=/path/to/that/folder npm start',
  ].join('\n');
}

if (process.env.CUSTOS_START_SKIP_BUILD !== '1') {
  const built = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: 'inherit' });
  if (built.status !== 0) process.exit(built.status ?? 1);
}

if (!existsSync(binary)) {
  console.error(missingMessage());
  process.exit(1);
}

const child = spawn(binary, ['.', ...process.argv.slice(2)], { cwd: root, stdio: 'inherit', windowsHide: false });
child.on('error', (err) => {
  console.error(`npm start: cannot run ${binary}: ${err.message}`);
  process.exit(1);
});
child.on('close', (code, signal) => {
  if (code === null) console.error(`npm start: Electron exited with signal ${signal}`);
  process.exit(code ?? 1);
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
