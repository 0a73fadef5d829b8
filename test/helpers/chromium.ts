import { chromium, type Browser } from 'playwright-core';
import { existsSync } from 'node:fs';
import { tool } from './tools';

export const CHROMIUM = '/usr/bin/chromium';

/** Debian's Chromium, as root, offline: no sandbox (root), no GPU, no background network. */
export async function launchChromium(extra: string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', ...extra],
  });
}

/**
 * Chromium with a camera that films `y4m` (a video file), for the scan screen. The test origin
 * is plain http, so Chromium is told to treat it as secure (a camera needs a secure context; the
 * app's own custos:// scheme is one).
 */
export function launchChromiumWithCamera(y4m: string, origin: string): Promise<Browser> {
  return launchChromium(['--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${y4m}`, '--use-fake-ui-for-media-stream', `--unsafely-treat-insecure-origin-as-secure=${origin}`]);
}

export function hasChromium(): boolean {
  return existsSync(CHROMIUM) || tool('chromium');
}
