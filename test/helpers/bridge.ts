/**
 * The test bridge: the renderer runs in Debian's Chromium and reaches the real main-process
 * IPC handlers through the same typed contract the preload exposes in Electron.
 */
import type { Page } from 'playwright-core';
import { registerIpc, type Handlers } from '../../src/main/ipc';
import { CHANNELS } from '../../src/shared/ipc';

export async function installBridge(page: Page, handlers: Handlers): Promise<void> {
  const registered = new Map<string, (event: unknown, ...args: unknown[]) => Promise<unknown>>();
  registerIpc({ handle: (ch: string, h: (e: unknown, ...a: unknown[]) => Promise<unknown>) => registered.set(ch, h) } as never, handlers, () => true);
  await page.exposeFunction('__custosInvoke', (channel: string, args: unknown[]) => registered.get(channel)!({ senderFrame: { url: page.url() } }, ...args));
  // Mirrors src/preload/preload.ts: one named method per channel.
  await page.addInitScript((channels: typeof CHANNELS) => {
    const g = globalThis as unknown as { __custosInvoke: (c: string, a: unknown[]) => Promise<unknown> };
    const invoke = g.__custosInvoke;
    Object.defineProperty(globalThis, 'custos', { value: Object.freeze({ about: () => invoke(channels.about, []) }) });
  }, CHANNELS);
}
