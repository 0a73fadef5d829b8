import { chromium, type Browser } from 'playwright-core';
import { existsSync } from 'node:fs';
import { tool } from './tools';

export const CHROMIUM = '/usr/bin/chromium';

/** Debian's Chromium, as root, offline: no sandbox (root), no GPU, no background network. */
export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

export function hasChromium(): boolean {
  return existsSync(CHROMIUM) || tool('chromium');
}
