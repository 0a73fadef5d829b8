// The WHATWG Encoding API exists in every runtime the core runs in (Node, Electron's main
// process and renderer, browsers). The core is type-checked without DOM or Node types, so the
// two classes it uses are declared here and nothing else is.
declare class TextEncoder {
  encode(input?: string): Uint8Array<ArrayBuffer>;
}
declare class TextDecoder {
  constructor(label?: string, options?: { fatal?: boolean; ignoreBOM?: boolean });
  decode(input?: Uint8Array): string;
}
