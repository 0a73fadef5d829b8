// Packs the built app with electron-builder's own API for Linux, target "dir", around a stand-in
// Electron (argv[2]: its folder) into argv[3]. Fuses are flipped in a real Electron binary only,
// so they are off here; the test checks their configuration separately.
import { build, Platform } from 'electron-builder';
import { readFileSync } from 'node:fs';
import YAML from 'yaml';

const [electronDist, output] = process.argv.slice(2);
const config = YAML.parse(readFileSync('electron-builder.yml', 'utf8'));
await build({ targets: Platform.LINUX.createTarget('dir'), config: { ...config, electronFuses: null, electronDist, electronVersion: '45.5.0', directories: { output } } });
