/** The one way the window reaches main: the preload's `window.custos`, typed by the contract. */
import type { CustosApi } from '../shared/ipc';

declare global {
  interface Window {
    custos: CustosApi;
  }
}

export const api = (): CustosApi => window.custos;

/**
 * The words of an error from main, without the transport's wrapping ("Error invoking remote
 * method 'custos:x': InputError: ..."): what happened, naming the field.
 */
export function errorText(e: unknown): string {
  const raw = e instanceof Error ? e.message : String(e);
  return raw
    .replace(/^Error invoking remote method '[^']+': /, '')
    .replace(/^(?:[A-Za-z]*Error: )+/, '')
    .split('\n')[0]!
    .trim();
}

/** A passphrase typed in a field, as the bytes that cross to main (main wipes its copy, the window its own). */
export const toBytes = (s: string): Uint8Array<ArrayBuffer> => new TextEncoder().encode(s);

export { wipeAnswer } from '../shared/ipc';
