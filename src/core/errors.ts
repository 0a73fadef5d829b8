/**
 * Typed errors. Every error the core throws on purpose is one of these, so a caller can tell
 * bad input (exit 2 in the CLI) from a failed verification (exit 1) from a refused policy
 * (exit 1), and can always name the field that was wrong. Messages never contain secret
 * bytes, passphrases or their lengths.
 */
export type ErrorKind = 'input' | 'verify' | 'policy' | 'crypto';

export class CustosError extends Error {
  readonly kind: ErrorKind;
  /** Stable machine-readable code, e.g. `share.digest`. */
  readonly code: string;
  /** Dotted path of the offending field, e.g. `record.threshold` or `text.line[7]`. */
  readonly field: string;
  /** What is wrong with the field, without its name (the message is `field: detail`). */
  readonly detail: string;

  constructor(kind: ErrorKind, code: string, field: string, message: string, options?: { cause?: unknown }) {
    super(`${field}: ${message}`, options);
    this.name = 'CustosError';
    this.kind = kind;
    this.code = code;
    this.field = field;
    this.detail = message;
  }
}

/** Bad input: malformed, wrong length, out of range, unknown field. */
export class InputError extends CustosError {
  constructor(code: string, field: string, message: string, options?: { cause?: unknown }) {
    super('input', code, field, message, options);
    this.name = 'InputError';
  }
}

/** Well-formed input that fails a cryptographic or consistency check. */
export class VerifyError extends CustosError {
  constructor(code: string, field: string, message: string, options?: { cause?: unknown }) {
    super('verify', code, field, message, options);
    this.name = 'VerifyError';
  }
}

/** A rule of the ceremony refuses the request. */
export class PolicyError extends CustosError {
  constructor(code: string, field: string, message: string, options?: { cause?: unknown }) {
    super('policy', code, field, message, options);
    this.name = 'PolicyError';
  }
}

/** A primitive could not run (out of memory, a library failure): not the input's fault. */
export class CryptoError extends CustosError {
  constructor(code: string, field: string, message: string, options?: { cause?: unknown }) {
    super('crypto', code, field, message, options);
    this.name = 'CryptoError';
  }
}

export function isCustosError(e: unknown): e is CustosError {
  return e instanceof CustosError;
}
