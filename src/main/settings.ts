/**
 * What the app remembers between launches: the vault folder (chosen once) and the roster words
 * the operator typed from the enrollment paper. Kept in one small JSON file in the app's data
 * folder, written whole (temporary file, fsync, rename); a file that does not parse is set
 * aside, never trusted in part.
 */
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { z } from 'zod';

const settingsSchema = z.strictObject({
  vault: z.string().min(1).max(4096).optional(),
  rosterWords: z.array(z.string().regex(/^[a-z]{3,8}$/)).length(8).optional(),
});
export type Settings = z.infer<typeof settingsSchema>;

export class SettingsStore {
  private value: Settings;

  constructor(private readonly file: string) {
    this.value = {};
    if (!existsSync(file)) return;
    try {
      this.value = settingsSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
    } catch {
      // A damaged settings file is kept for a person to look at, and the app starts afresh.
      renameSync(file, `${file}.damaged-${Date.now()}`);
    }
  }

  get(): Settings {
    return { ...this.value };
  }

  set(patch: Partial<Settings>): Settings {
    const next = settingsSchema.parse({ ...this.value, ...patch });
    const tmp = `${this.file}.tmp`;
    const fd = openSync(tmp, 'w', 0o600);
    try {
      writeSync(fd, JSON.stringify(next, null, 2) + '\n');
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.file);
    this.value = next;
    return this.get();
  }
}
