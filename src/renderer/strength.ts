/**
 * Passphrase strength, estimated offline by zxcvbn-ts with its English and common dictionaries
 * (bundled: nothing is fetched). Feedback only: the person decides, the engine enforces its own
 * rules.
 */
import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import * as common from '@zxcvbn-ts/language-common';
import * as en from '@zxcvbn-ts/language-en';

let factory: ZxcvbnFactory | undefined;

export interface Strength {
  /** 0 (guessed at once) to 4 (very hard to guess). */
  score: 0 | 1 | 2 | 3 | 4;
  label: string;
  warning: string;
  suggestions: string[];
}

const LABELS = ['Very weak', 'Weak', 'Fair', 'Strong', 'Very strong'];

export function strength(passphrase: string, context: string[] = []): Strength {
  factory ??= new ZxcvbnFactory({
    dictionary: { ...common.dictionary, ...en.dictionary },
    graphs: common.adjacencyGraphs,
    translations: en.translations,
  });
  const r = factory.check(passphrase.slice(0, 200), context);
  return { score: r.score, label: LABELS[r.score]!, warning: r.feedback.warning ?? '', suggestions: r.feedback.suggestions };
}
