/**
 * Files and folders the person chose in main's dialogs, known to the renderer only by opaque
 * tokens: the renderer never names a path, so a compromised window cannot make the engine read
 * or write anywhere the person did not choose. A token is good for its kind only.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { ChoiceKind, Chosen } from '../shared/ipc';

export class Choices {
  private readonly byToken = new Map<string, { kind: ChoiceKind; path: string }>();

  /** Register what a dialog returned. */
  add(kind: ChoiceKind, file: string): Chosen {
    const token = randomBytes(18).toString('base64url');
    this.byToken.set(token, { kind, path: path.resolve(file) });
    return { token, name: path.basename(file) };
  }

  /** The path behind a token of `kind`; undefined for any other token. */
  resolve(token: string, kind: ChoiceKind): string | undefined {
    const c = this.byToken.get(token);
    return c && c.kind === kind ? c.path : undefined;
  }
}
