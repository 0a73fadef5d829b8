/**
 * Passphrase strength, estimated in a worker so the window never stalls: building zxcvbn-ts's
 * dictionaries takes a tenth of a second or more, and each estimate can take tens of
 * milliseconds on a long passphrase. Offline: the dictionaries are bundled.
 */
import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import * as common from '@zxcvbn-ts/language-common';
import * as en from '@zxcvbn-ts/language-en';

const LABELS = ['Very weak', 'Weak', 'Fair', 'Strong', 'Very strong'];
let factory: ZxcvbnFactory | undefined;

const scope = globalThis as unknown as { onmessage: ((e: MessageEvent) => void) | null; postMessage(m: unknown): void };

scope.onmessage = (e: MessageEvent) => {
  const { id, passphrase, context } = e.data as { id: number; passphrase: string; context: string[] };
  factory ??= new ZxcvbnFactory({ dictionary: { ...common.dictionary, ...en.dictionary }, graphs: common.adjacencyGraphs, translations: en.translations });
  const r = factory.check(String(passphrase).slice(0, 200), context);
  scope.postMessage({ id, strength: { score: r.score, label: LABELS[r.score], warning: r.feedback.warning ?? '', suggestions: r.feedback.suggestions } });
};
