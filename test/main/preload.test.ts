/** The preload, against a mocked electron: exactly the contract's methods and the run stream, nothing generic. */
import { describe, expect, it, vi } from 'vitest';
import { METHOD_NAMES } from '../../src/shared/methods';
import { METHODS } from '../../src/shared/ipc';

const exposed: Record<string, unknown> = {};
const invoke = vi.fn(async (..._a: unknown[]) => 'answer');
const listeners = new Map<string, unknown>();
vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (key: string, api: unknown) => (exposed[key] = api) },
  ipcRenderer: {
    invoke: (...a: unknown[]) => invoke(...a),
    on: (ch: string, l: unknown) => listeners.set(ch, l),
    removeListener: (ch: string, l: unknown) => listeners.get(ch) === l && listeners.delete(ch),
  },
}));

describe('the preload', () => {
  it('exposes one frozen window.custos: each method of the table on its channel, and onRun with its unsubscribe', async () => {
    await import('../../src/preload/preload');
    const api = exposed.custos as Record<string, (...a: unknown[]) => unknown>;
    expect(Object.isFrozen(api)).toBe(true);
    expect(Object.keys(api).sort()).toEqual([...METHOD_NAMES, 'onRun'].sort());
    expect([...METHOD_NAMES].sort()).toEqual(Object.keys(METHODS).sort());
    for (const m of METHOD_NAMES) {
      await api[m]!('x', 1);
      expect(invoke).toHaveBeenLastCalledWith(`custos:${m}`, 'x', 1);
    }
    const got: unknown[] = [];
    const off = api.onRun!((m: unknown) => got.push(m)) as () => void;
    (listeners.get('custos:run') as (e: unknown, m: unknown) => void)({}, { run: 1, type: 'say', text: 'hello' });
    expect(got).toEqual([{ run: 1, type: 'say', text: 'hello' }]);
    off();
    expect(listeners.has('custos:run')).toBe(false);
  });
});
