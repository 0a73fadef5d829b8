/**
 * Reading a list back from a SIEM record, independently of the exporter: the tests' own reading
 * of the escaping rule the design states.
 */
/** A list as syslog and CEF carry it: items comma-joined, a comma or backslash inside one escaped with a backslash. */
export function items(v: unknown): string[] {
  const out = [''];
  let escaped = false;
  for (const c of String(v)) {
    if (escaped) [out[out.length - 1], escaped] = [out.at(-1) + c, false];
    else if (c === '\\') escaped = true;
    else if (c === ',') out.push('');
    else out[out.length - 1] += c;
  }
  return out;
}
