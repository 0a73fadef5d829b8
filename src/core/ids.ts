/** The formats every document shares: participant ids and UTC times. One definition each. */

/** A participant id: lowercase letters, digits, . _ - (1 to 64 characters), starting with a letter or digit. */
export const PARTICIPANT_ID_RE = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/** A UTC time exactly as Date.prototype.toISOString writes it, and a real one (no 2026-02-30). */
export function isUtcTime(s: unknown): s is string {
  return typeof s === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(s) && !Number.isNaN(Date.parse(s)) && new Date(s).toISOString() === s;
}
