/**
 * The IPC contract between renderer, preload and main: channel names, argument and result
 * types, and the argument validators main runs on every message. One named preload method
 * per action; nothing else crosses the bridge.
 */
export const CHANNELS = {
  about: 'custos:about',
} as const;

export type Channel = (typeof CHANNELS)[keyof typeof CHANNELS];

export interface AboutInfo {
  name: string;
  version: string;
  /** Primitives computed by the platform's crypto library (the rest by the pure-JS provider). */
  nativeCrypto: string[];
  runtime: string;
}

/** What the preload exposes as `window.custos`. */
export interface CustosApi {
  about(): Promise<AboutInfo>;
}

export class IpcArgumentError extends Error {
  constructor(
    readonly channel: string,
    readonly field: string,
    message: string,
  ) {
    super(`${channel} ${field}: ${message}`);
    this.name = 'IpcArgumentError';
  }
}

/** Validators: each takes the raw argument list from the renderer and returns typed arguments or throws. */
export const validators: { [K in keyof typeof CHANNELS]: (args: unknown[]) => [] } = {
  about(args) {
    if (args.length !== 0) throw new IpcArgumentError(CHANNELS.about, 'args', 'takes no arguments');
    return [];
  },
};
