/**
 * A KMIP client over mutual TLS (node:tls): the server is authenticated against the pinned CA
 * (and its certificate's name or IP), the client presents its certificate; one request at a
 * time on one connection, each bounded by a timeout; the protocol version is negotiated with
 * Discover Versions (1.4 down to 1.2). A connection that fails is closed and the next request
 * opens a new one; a request is never silently retried (a Register might have happened).
 */
import { connect, type TLSSocket } from 'node:tls';
import { isIP } from 'node:net';
import { CustosError, InputError } from '../core/errors';
import { decodeResponse, encodeRequest, expectSuccess, KmipError, payloads, readVersions, type ProtocolVersion, type RequestItem, type Response, type ResponseItem } from './messages';
import { DEFAULT_MAX_BYTES } from './ttlv';
import type { Item } from './ttlv';
import type { OperationName } from './tags';

export interface KmipEndpoint {
  host: string;
  port: number;
}

export interface KmipTls {
  /** PEM of the CA that must have issued the server's certificate (nothing else is trusted). */
  ca: string | Buffer;
  /** PEM client certificate and key. */
  cert: string | Buffer;
  key: string | Buffer;
}

export interface KmipClientOptions {
  /** Per request (connect included), default 10 s. */
  timeoutMs?: number;
  /** Versions offered, best first (default 1.4, 1.3, 1.2). */
  versions?: ProtocolVersion[];
}

export const SUPPORTED_VERSIONS: ProtocolVersion[] = [
  { major: 1, minor: 4 },
  { major: 1, minor: 3 },
  { major: 1, minor: 2 },
];

/** A transport failure (connection, TLS, timeout): what and where, never a secret. */
export class KmipConnectionError extends CustosError {
  constructor(endpoint: KmipEndpoint, message: string, options?: { cause?: unknown }) {
    super('verify', 'kmip.connection', `kmip ${endpoint.host}:${endpoint.port}`, message, options);
    this.name = 'KmipConnectionError';
  }
}

export function parseEndpoint(s: string, field = '--kmip'): KmipEndpoint {
  const m = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(s);
  const port = m ? Number(m[2]) : 0;
  if (!m || port < 1 || port > 65535) throw new InputError('kmip.endpoint', field, `"${s}" must be HOST:PORT`);
  return { host: m[1]!.replace(/^\[|\]$/g, ''), port };
}

export class KmipClient {
  readonly endpoint: KmipEndpoint;
  private readonly tls: KmipTls;
  private readonly timeoutMs: number;
  private readonly offered: ProtocolVersion[];
  private socket: TLSSocket | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  version: ProtocolVersion = { major: 1, minor: 2 };
  /** The server certificate's subject, as seen on the last connection. */
  serverSubject = '';

  constructor(endpoint: KmipEndpoint, tls: KmipTls, opts: KmipClientOptions = {}) {
    this.endpoint = endpoint;
    this.tls = tls;
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    this.offered = opts.versions ?? SUPPORTED_VERSIONS;
  }

  private open(): Promise<TLSSocket> {
    if (this.socket && !this.socket.destroyed) return Promise.resolve(this.socket);
    const { host, port } = this.endpoint;
    return new Promise((resolve, reject) => {
      const sock = connect({
        host,
        port,
        ca: this.tls.ca,
        cert: this.tls.cert,
        key: this.tls.key,
        minVersion: 'TLSv1.2',
        rejectUnauthorized: true,
        ...(isIP(host) === 0 && { servername: host }),
      });
      const timer = setTimeout(() => sock.destroy(new Error(`no TLS connection within ${this.timeoutMs} ms`)), this.timeoutMs);
      sock.once('secureConnect', () => {
        clearTimeout(timer);
        const cert = sock.getPeerCertificate();
        this.serverSubject = typeof cert?.subject?.CN === 'string' ? cert.subject.CN : '';
        this.socket = sock;
        sock.on('error', () => undefined); // reported by the request that sees it
        resolve(sock);
      });
      sock.once('error', (e: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        reject(new KmipConnectionError(this.endpoint, describeTlsError(e), { cause: e }));
      });
    });
  }

  /** Send one message of batch items and read its response. Requests are serialised. */
  send(items: RequestItem[]): Promise<Response> {
    const run = async (): Promise<Response> => {
      const sock = await this.open();
      const request = encodeRequest(this.version, items);
      try {
        return await exchange(sock, request, this.timeoutMs, this.endpoint);
      } catch (e) {
        sock.destroy();
        this.socket = undefined;
        throw e;
      } finally {
        request.fill(0); // a Register carries key material; the answer means it was sent
      }
    };
    const p = this.queue.then(run, run);
    this.queue = p.catch(() => undefined);
    return p;
  }

  /** One operation; its payload, or a KmipError for a failure the server reported. */
  async call(operation: OperationName, payload: Item[]): Promise<Item & { type: 'structure' }> {
    const r = await this.send([{ operation, payload }]);
    return expectSuccess(r.items[0]!, operation);
  }

  /** Several operations in one message; each item's result (a failed one is not thrown). */
  async batch(items: RequestItem[]): Promise<ResponseItem[]> {
    const r = await this.send(items);
    // A whole-message refusal comes back as one failed item.
    if (r.items.length === 1 && items.length > 1 && r.items[0]!.status !== 'success') throw new KmipError('batch', r.items[0]!.reason, r.items[0]!.message, 'kmip.batch');
    if (r.items.length !== items.length) throw new KmipConnectionError(this.endpoint, `answered ${r.items.length} batch items for ${items.length}`);
    if (items.length === 1) return r.items;
    // Items are matched by their Unique Batch Item ID, not by position.
    const byId = new Map(r.items.map((x) => [x.id, x]));
    return items.map((_, i) => {
      const x = byId.get(i);
      if (!x) throw new KmipConnectionError(this.endpoint, `did not answer batch item ${i}`);
      return x;
    });
  }

  /** Discover Versions: the best version both sides speak (KMIP 1.2 at least). */
  async negotiate(): Promise<ProtocolVersion> {
    this.version = { major: 1, minor: 2 }; // the request itself goes out in a version every 1.2+ server reads
    const p = await this.call('discoverVersions', payloads.discoverVersions(this.offered));
    const theirs = readVersions(p);
    const best = theirs.find((v) => this.offered.some((o) => o.major === v.major && o.minor === v.minor));
    if (!best) throw new KmipConnectionError(this.endpoint, `speaks ${theirs.map((v) => `${v.major}.${v.minor}`).join(', ') || 'no version'}; Custos needs KMIP 1.2 to 1.4`);
    this.version = best;
    return best;
  }

  close(): void {
    this.socket?.end();
    this.socket?.destroy();
    this.socket = undefined;
  }
}

function describeTlsError(e: NodeJS.ErrnoException): string {
  const code = e.code ?? '';
  if (code === 'ECONNREFUSED') return 'connection refused: is the key server running on this port?';
  if (code === 'ETIMEDOUT' || /within/.test(e.message)) return e.message;
  if (/UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED|UNABLE_TO_GET_ISSUER|CERT_SIGNATURE_FAILURE|DEPTH_ZERO/.test(code))
    return `the server's certificate was not issued by the pinned CA (${code})`;
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return `the server's certificate does not name this host (${e.message})`;
  if (code === 'CERT_HAS_EXPIRED') return "the server's certificate has expired";
  if (/alert|handshake|certificate/i.test(e.message)) return `the TLS handshake failed: ${e.message} (is the client certificate valid and issued by the server's CA?)`;
  return `${code || 'error'}: ${e.message}`;
}

/** Write one request, read one complete response (8-byte TTLV header gives its length). */
function exchange(sock: TLSSocket, request: Uint8Array, timeoutMs: number, endpoint: KmipEndpoint): Promise<Response> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let have = 0;
    let need = -1;
    const done = (err: Error | undefined, r?: Response) => {
      clearTimeout(timer);
      sock.off('data', onData);
      sock.off('error', onError);
      sock.off('close', onClose);
      if (err) reject(err);
      else resolve(r!);
    };
    const onData = (d: Buffer) => {
      parts.push(d);
      have += d.length;
      if (need < 0 && have >= 8) {
        // Only the 8 header bytes: a concatenation of all that arrived could hold key material.
        const head = Buffer.alloc(8);
        for (let o = 0, i = 0; o < 8; i++) o += parts[i]!.copy(head, o, 0, 8 - o);
        need = 8 + head.readUInt32BE(4);
        if (need > DEFAULT_MAX_BYTES) return done(new KmipConnectionError(endpoint, `announced a ${need}-byte response, more than the ${DEFAULT_MAX_BYTES} accepted`));
      }
      if (need >= 0 && have >= need) {
        const all = Buffer.concat(parts);
        if (have > need) return done(new KmipConnectionError(endpoint, 'sent more bytes than its response holds'));
        try {
          done(undefined, decodeResponse(all));
        } catch (e) {
          done(e as Error);
        } finally {
          all.fill(0); // a Get response holds key material
          for (const p of parts) p.fill(0);
        }
      }
    };
    const onError = (e: Error) => done(new KmipConnectionError(endpoint, describeTlsError(e as NodeJS.ErrnoException), { cause: e }));
    const onClose = () => done(new KmipConnectionError(endpoint, 'closed the connection before answering'));
    const timer = setTimeout(() => done(new KmipConnectionError(endpoint, `no answer within ${timeoutMs} ms`)), timeoutMs);
    sock.on('data', onData);
    sock.on('error', onError);
    sock.on('close', onClose);
    sock.write(request);
  });
}
