// The simulator's HTTP front: routes on the path (and on the Host where it matters), applies authentication,
// injected faults and usage plans in Amazon's order, and writes every reply with Amazon's headers.

import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { Readable, pipeline } from 'node:stream';
import { handleControl } from './control.routes.ts';
import { CONSENT_PATH, handleConsent } from './consent.routes.ts';
import { DOCUMENT_PATH, DocumentUrlSigner } from './document-urls.ts';
import type { ActiveFault } from './faults.ts';
import type { Reply, SimRequest } from './http-kit.ts';
import { amazonError, json, QUOTA_EXCEEDED, readBody, s3Error } from './http-kit.ts';
import { handleTokenRequest, tokenParams, tokenRequestSeller } from './lwa.routes.ts';
import { regionFromHost } from './marketplaces.ts';
import { matchSpApiRoute, SP_API_HANDLERS } from './sp-api.routes.ts';
import type { SimulatorState } from './state.ts';

export interface SimulatorLogger {
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
}

interface HttpServerOptions {
  state: SimulatorState;
  control: boolean;
  logger: SimulatorLogger;
}

/** Returned by a step that must leave the request unanswered (the `timeout` fault). */
const HANG = Symbol('hang');
type Outcome = Reply | typeof HANG;

const ACCESS_DENIED = 'Access to requested resource is denied.';

export class SimulatorHttpServer {
  readonly server: Server;
  private readonly signer = new DocumentUrlSigner();
  private readonly timers = new Set<NodeJS.Timeout>();
  private closing = false;

  constructor(private readonly options: HttpServerOptions) {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        options.logger.warn(
          { err: error instanceof Error ? error.message : String(error) },
          'simulator error',
        );
        if (!res.headersSent && !res.destroyed) {
          write(res, randomUUID(), amazonError(500, 'InternalFailure', 'We encountered an internal error.'));
        }
      });
    });
  }

  listen(port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        const address = this.server.address();
        resolve(typeof address === 'object' && address ? address.port : port);
      });
    });
  }

  /** Stops listening and destroys every socket, including requests held by `timeout` faults. */
  close(): Promise<void> {
    this.closing = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = randomUUID();
    let body: Buffer;
    try {
      body = await readBody(req);
    } catch {
      write(res, requestId, amazonError(413, 'RequestEntityTooLarge', 'The request body is too large.'));
      return;
    }
    const url = new URL(req.url ?? '/', 'http://simulator.invalid');
    const host = req.headers.host?.replace(/:\d+$/, '').toLowerCase();
    const sreq: SimRequest = {
      method: (req.method ?? 'GET').toUpperCase(),
      url,
      host,
      headers: req.headers,
      body,
    };
    const path = url.pathname;

    if (path === '/_sim' || path.startsWith('/_sim/')) {
      const reply = this.options.control
        ? handleControl(this.options.state, sreq, this.options.logger)
        : json(404, { error: 'Not found' });
      write(res, requestId, reply, this.options.state.now());
      return;
    }

    const { operation, outcome } = await this.route(sreq);
    if (outcome === HANG) return;
    this.options.state.counterBook.response(operation, outcome.status);
    write(res, requestId, outcome, this.options.state.now());
  }

  private async route(req: SimRequest): Promise<{ operation: string; outcome: Outcome }> {
    const path = req.url.pathname;
    if (path === '/auth/o2/token') return { operation: 'token', outcome: await this.token(req) };
    if (path === CONSENT_PATH) {
      this.options.state.counterBook.request('consent');
      return { operation: 'consent', outcome: handleConsent(this.options.state, req) };
    }
    const documentPath = DOCUMENT_PATH.exec(path);
    if (documentPath?.[1]) {
      return { operation: 'downloadDocument', outcome: await this.download(req, documentPath[1]) };
    }
    const route = matchSpApiRoute(req.method, path);
    if (route === undefined) {
      this.options.state.counterBook.request('unknown');
      return { operation: 'unknown', outcome: amazonError(404, 'NotFound', 'Resource not found.') };
    }
    if (route === 'methodNotAllowed') {
      this.options.state.counterBook.request('unknown');
      return { operation: 'unknown', outcome: amazonError(405, 'MethodNotAllowed', 'Method not allowed.') };
    }
    return { operation: route.operation, outcome: await this.spApi(req, route.operation, route.params) };
  }

  private async token(req: SimRequest): Promise<Outcome> {
    const { state } = this.options;
    state.counterBook.request('token');
    if (req.method !== 'POST') return json(405, { error: 'invalid_request', error_description: 'Use POST' });
    const params = tokenParams(req);
    const sellerId = tokenRequestSeller(state, params);
    if (sellerId) state.counterBook.seller(sellerId, 'token');
    const fault = await this.requestFaults('token', sellerId);
    if (fault === HANG) return HANG;
    if (fault?.type === 'throttle') {
      return json(429, { error: 'slow_down', error_description: 'The request was throttled. Retry later.' });
    }
    if (fault?.type === 'error') {
      // OAuth's own words (RFC 6749 §5.2), as LWA uses them: a 503 is "temporarily unavailable", not a crash.
      const status = fault.status ?? 500;
      return json(
        status,
        status === 503
          ? { error: 'temporarily_unavailable', error_description: 'The service is temporarily unavailable' }
          : { error: 'server_error', error_description: 'Internal server error' },
      );
    }
    return handleTokenRequest(state, params);
  }

  private async download(req: SimRequest, documentId: string): Promise<Outcome> {
    const { state } = this.options;
    state.counterBook.request('downloadDocument');
    // A report's document or a Data Kiosk one: both are served from the same presigned path.
    const document = state.reports.document(documentId) ?? state.dataKiosk.document(documentId);
    if (document) state.counterBook.seller(document.sellerId, 'downloadDocument');
    const fault = await this.requestFaults('downloadDocument', document?.sellerId);
    if (fault === HANG) return HANG;
    if (fault?.type === 'throttle') return s3Error(503, 'SlowDown', 'Please reduce your request rate.');
    if (fault?.type === 'error') {
      return fault.status === 503
        ? s3Error(503, 'ServiceUnavailable', 'Service is unable to handle request.')
        : s3Error(500, 'InternalError', 'We encountered an internal error. Please try again.');
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return s3Error(405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.');
    }
    const now = state.now();
    const check = this.signer.check(documentId, req.url.searchParams, now);
    if (!check.ok && check.reason === 'signature') {
      return s3Error(
        403,
        'SignatureDoesNotMatch',
        'The request signature we calculated does not match the signature you provided.',
      );
    }
    if (!check.ok) {
      return s3Error(403, 'AccessDenied', 'Request has expired', {
        'X-Amz-Expires': req.url.searchParams.get('X-Amz-Expires') ?? '',
        Expires: check.expiresAt?.toISOString() ?? '',
        ServerTime: now.toISOString(),
      });
    }
    const kept =
      document &&
      (state.reports.documentFor(document.sellerId, documentId) ??
        state.dataKiosk.documentFor(document.sellerId, documentId));
    if (!document || !kept) {
      return s3Error(404, 'NoSuchKey', 'The specified key does not exist.', { Key: documentId });
    }
    return {
      status: 200,
      // A streamed document (a benchmark's very large one) is written anew for each download.
      body: typeof document.bytes === 'function' ? document.bytes() : document.bytes,
      headers: {
        'content-type': 'text/plain;charset=UTF-8',
        ...(document.contentEncodingGzip ? { 'content-encoding': 'gzip' } : {}),
      },
    };
  }

  private async spApi(
    req: SimRequest,
    operation: keyof typeof SP_API_HANDLERS,
    params: Record<string, string>,
  ): Promise<Outcome> {
    const { state } = this.options;
    state.counterBook.request(operation);
    const limit = String(state.limiter.plan(operation).rate);
    const withLimit = (reply: Reply): Reply => ({
      ...reply,
      headers: { ...reply.headers, 'x-amzn-RateLimit-Limit': limit },
    });

    const header = req.headers['x-amz-access-token'];
    const access = state.checkAccessToken(Array.isArray(header) ? header[0] : header);
    if (!access.ok) return unauthorized(access.reason);
    const sellerId = access.sellerId;
    if (sellerId === undefined) return unauthorized('invalid');
    state.counterBook.seller(sellerId, operation);
    const hostRegion = regionFromHost(req.host);
    const account = state.getAccount(sellerId);
    if (!account) return unauthorized('invalid');
    if (hostRegion && hostRegion !== account.region) {
      return amazonError(
        403,
        'Unauthorized',
        ACCESS_DENIED,
        `This selling partner is served by the ${account.region} endpoint.`,
      );
    }

    const fault = await this.requestFaults(operation, sellerId);
    if (fault === HANG) return HANG;
    if (fault?.type === 'throttle') return withLimit(QUOTA_EXCEEDED());
    if (fault?.type === 'error') {
      return fault.status === 503
        ? withLimit(
            amazonError(503, 'ServiceUnavailable', 'Service is temporarily unavailable. Please try again.'),
          )
        : withLimit(
            amazonError(500, 'InternalFailure', 'We encountered an internal error. Please try again.'),
          );
    }
    if (!state.limiter.tryTake(operation, sellerId)) return withLimit(QUOTA_EXCEEDED());
    return withLimit(SP_API_HANDLERS[operation]({ state, signer: this.signer, sellerId, req, params }));
  }

  /** Waits out latency faults; returns the terminal fault that fires, HANG for a timeout, or undefined. */
  private async requestFaults(
    operation: string,
    sellerId: string | undefined,
  ): Promise<ActiveFault | typeof HANG | undefined> {
    const fired = this.options.state.faults.takeRequestFaults(operation, sellerId);
    if (fired.length === 0) return undefined;
    const delay = Math.max(0, ...fired.filter((f) => f.type === 'latency').map((f) => f.ms ?? 1000));
    if (delay > 0) await this.sleep(delay);
    const terminal = fired.find((f) => f.type !== 'latency');
    if (terminal?.type === 'timeout') return HANG;
    return terminal;
  }

  private sleep(ms: number): Promise<void> {
    if (this.closing) return new Promise(() => undefined);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }
}

function unauthorized(reason: 'missing' | 'expired' | 'invalid'): Reply {
  const details = {
    missing: 'Access token is missing in the request header.',
    expired: 'The access token you provided has expired.',
    invalid: 'The access token you provided is revoked, malformed or invalid.',
  }[reason];
  return amazonError(403, 'Unauthorized', ACCESS_DENIED, details);
}

// The Date header carries the virtual clock, as Amazon's carries its own: clients that measure skew from it
// then judge report ages on the simulator's time, so advancing the clock ages reports as it should.
function write(res: ServerResponse, requestId: string, reply: Reply, now: Date = new Date()): void {
  if (res.destroyed) {
    if (reply.body instanceof Readable) reply.body.destroy();
    return;
  }
  if (reply.body instanceof Readable) {
    // No length: the body is sent chunked as it is made, at the pace the client reads it.
    res.writeHead(reply.status, {
      'content-type': 'application/json',
      ...reply.headers,
      'x-amzn-RequestId': requestId,
      date: now.toUTCString(),
    });
    pipeline(reply.body, res, () => undefined);
    return;
  }
  const payload =
    reply.body === undefined
      ? Buffer.alloc(0)
      : Buffer.isBuffer(reply.body)
        ? reply.body
        : Buffer.from(typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body), 'utf8');
  res.writeHead(reply.status, {
    'content-type': 'application/json',
    ...reply.headers,
    'x-amzn-RequestId': requestId,
    'content-length': String(payload.length),
    date: now.toUTCString(),
  });
  res.end(payload);
}
