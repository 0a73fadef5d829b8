/**
 * The test bridge: the renderer runs in Debian's Chromium and reaches the real main-process
 * IPC handlers through the same contract the preload exposes in Electron. Like the preload, it
 * is generated from the contract's method table (one function per method, plus the run stream),
 * so the two cannot drift apart. Bytes (passphrases, documents) cross as arrays and are revived on
 * the other side.
 */
import type { Page } from 'playwright-core';
import { registerIpc, type Handlers } from '../../src/main/ipc';
import { METHOD_NAMES } from '../../src/shared/methods';
import type { RunMessage } from '../../src/shared/ipc';

type Registered = (event: unknown, ...args: unknown[]) => Promise<unknown>;

const revive = (v: unknown): unknown => {
  if (Array.isArray(v)) return v.map(revive);
  if (v && typeof v === 'object') {
    if ('__u8' in v) return new Uint8Array((v as { __u8: number[] }).__u8);
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, revive(x)]));
  }
  return v;
};

const pack = (v: unknown): unknown => {
  if (v instanceof Uint8Array) return { __u8: Array.from(v) };
  if (Array.isArray(v)) return v.map(pack);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, pack(x)]));
  return v;
};

/** Install `window.custos` in `page`; returns how main sends on the run stream. */
export async function installBridge(page: Page, handlers: Handlers): Promise<{ send(m: RunMessage): Promise<void> }> {
  const registered = new Map<string, Registered>();
  registerIpc({ handle: (ch: string, h: Registered) => void registered.set(ch, h) } as never, handlers, () => true);
  await page.exposeFunction('__custosInvoke', async (channel: string, args: unknown[]) => pack(await registered.get(channel)!({ senderFrame: { url: page.url() } }, ...(revive(args) as unknown[]))));
  // The page's half, as source text: a function here would be rewritten by the TypeScript loader
  // (with helpers the page does not have) when this runs outside the test runner.
  await page.addInitScript({
    content: `(() => {
      const invoke = globalThis.__custosInvoke;
      const pack = (v) => (v instanceof Uint8Array ? { __u8: Array.from(v) } : Array.isArray(v) ? v.map(pack) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, pack(x)])) : v);
      const revive = (v) => (Array.isArray(v) ? v.map(revive) : v && typeof v === 'object' ? ('__u8' in v ? new Uint8Array(v.__u8) : Object.fromEntries(Object.entries(v).map(([k, x]) => [k, revive(x)]))) : v);
      const listeners = new Set();
      globalThis.__custosRun = (m) => listeners.forEach((l) => l(revive(m)));
      const api = Object.fromEntries(${JSON.stringify([...METHOD_NAMES])}.map((m) => [m, (...a) => invoke('custos:' + m, pack(a)).then(revive)]));
      api.onRun = (l) => {
        listeners.add(l);
        return () => void listeners.delete(l);
      };
      Object.defineProperty(globalThis, 'custos', { value: Object.freeze(api) });
    })();`,
  });
  return { send: (m) => page.evaluate((x) => (globalThis as unknown as { __custosRun: (m: unknown) => void }).__custosRun(x), pack(m) as never) };
}
