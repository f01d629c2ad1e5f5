import { isIPv4, isIPv6 } from 'node:net';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from './errors.ts';

// Guards every API route shares, registered once on the /api scope, and the Host check, registered once on the
// whole server so that it covers the dashboard's pages too.

/**
 * A web page elsewhere can make a browser POST a form (url-encoded, multipart or text/plain) to this API without
 * asking first; it cannot send `application/json`, or use PUT, PATCH or DELETE, cross-site without a CORS
 * preflight, which this API never grants. So a POST is JSON or nothing: a cross-site form cannot spend a seller's
 * quota. A route that takes a file (`config.upload`) also takes `application/octet-stream`: that is not one of the
 * three types a form can send either, so it too needs the preflight no foreign page gets, and the file arrives
 * as its own bytes rather than wrapped in a multipart form.
 */
function requireJson(request: FastifyRequest): void {
  if (request.method !== 'POST') return;
  const type = request.headers['content-type']?.split(';', 1)[0]?.trim().toLowerCase();
  if (type === 'application/json') return;
  if (request.routeOptions.config.upload === true) {
    if (type === 'application/octet-stream') return;
    throw new AppError(
      'UNSUPPORTED_MEDIA_TYPE',
      "send the file's bytes as the body with content-type: application/octet-stream (not a multipart form)",
    );
  }
  throw new AppError(
    'UNSUPPORTED_MEDIA_TYPE',
    'send a JSON body with content-type: application/json (an empty object {} when there is nothing to say)',
  );
}

/** Where the first NUL character sits in a parsed value, if anywhere. */
function nulPath(value: unknown, path: string): string | null {
  // An uploaded file's bytes are not text: NULs are expected there, and walking megabytes byte by byte is not.
  if (Buffer.isBuffer(value)) return null;
  if (typeof value === 'string') return value.includes('\u0000') ? path : null;
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const found = nulPath(item, `${path}[${i}]`);
      if (found) return found;
    }
    return null;
  }
  if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      const found = nulPath(item, `${path}.${key}`);
      if (found) return found;
    }
  }
  return null;
}

/** Postgres refuses text with a NUL character; the client hears why instead of a 500. */
function refuseNul(request: FastifyRequest): void {
  const found =
    nulPath(request.params, 'params') ??
    nulPath(request.query, 'querystring') ??
    nulPath(request.body, 'body');
  if (found) {
    throw new AppError(
      'VALIDATION_FAILED',
      `invalid ${found.split(/[.[]/, 1)[0]}: ${found} contains a NUL character`,
      [{ path: found, message: 'contains a NUL character' }],
    );
  }
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route takes a file as its raw body (`application/octet-stream`) besides JSON. */
    upload?: boolean;
  }
}

export function registerApiGuards(api: FastifyInstance): void {
  api.addHook('onRequest', async (request) => requireJson(request));
  api.addHook('preValidation', async (request) => refuseNul(request));
}

/**
 * Answer whatever the Host: load balancers and container health checks probe by names of their own, and so does a
 * Prometheus scraping by a service name. `/metrics` needs an API token, which a rebinding page cannot have.
 */
const ANY_HOST_ROUTES: ReadonlySet<string> = new Set(['/api/health', '/metrics']);

const DEFAULT_PORTS: Readonly<Record<string, string>> = { 'http:': '80', 'https:': '443' };

interface HostValue {
  /** Lower case; an IPv6 address without its brackets. */
  name: string;
  /** '' when the header names none. */
  port: string;
  ip: boolean;
}

/** A Host header's name and port; undefined when it is neither `name[:port]`, `ipv4[:port]` nor `[ipv6][:port]`. */
function parseHost(value: string): HostValue | undefined {
  const v6 = /^\[([0-9a-fA-F:.]+)\](?::(\d{1,5}))?$/.exec(value);
  const named = v6 ? undefined : /^([^\s:/?#@[\]]+)(?::(\d{1,5}))?$/.exec(value);
  const [, rawName, port = ''] = v6 ?? named ?? [];
  if (rawName === undefined || (port !== '' && Number(port) > 65_535)) return undefined;
  const name = rawName.toLowerCase();
  if (v6 && !isIPv6(name)) return undefined;
  return { name, port, ip: v6 !== null || isIPv4(name) };
}

/** The one name (and port) besides localhost this server answers to: PUBLIC_URL's. */
interface PublicHost {
  name: string;
  /** '' for the protocol's default port, which a Host header may also spell out (`:443`). */
  port: string;
  protocol: string;
  /** PUBLIC_URL's host[:port], for messages. */
  display: string;
}

function publicHostOf(publicUrl: string): PublicHost {
  const url = new URL(publicUrl);
  return { name: url.hostname.toLowerCase(), port: url.port, protocol: url.protocol, display: url.host };
}

function isPublicHost(host: HostValue, expected: PublicHost | undefined): boolean {
  if (!expected || host.name !== expected.name) return false;
  const port = host.port === DEFAULT_PORTS[expected.protocol] ? '' : host.port;
  return port === expected.port;
}

/**
 * DNS rebinding: an attacker's page (evil.example) points its own name at this server's address, and the browser,
 * seeing one origin, lets the page call this server and read the answers, from inside the network. The browser
 * still sends `Host: evil.example`, so a name is let in only when it is localhost or PUBLIC_URL's. An IP address
 * is always let in: rebinding needs a name the attacker controls.
 */
function checkHost(request: FastifyRequest, expected: PublicHost | undefined): void {
  if (request.routeOptions.url !== undefined && ANY_HOST_ROUTES.has(request.routeOptions.url)) return;
  const raw = request.headers.host?.trim();
  if (!raw) throw new AppError('BAD_REQUEST', 'the request has no Host header');
  const host = parseHost(raw);
  if (!host) throw new AppError('BAD_REQUEST', `the Host header ${JSON.stringify(raw)} is not a host name`);
  if (host.ip || host.name === 'localhost' || isPublicHost(host, expected)) return;
  const shown = JSON.stringify(raw);
  throw new AppError(
    'MISDIRECTED_REQUEST',
    expected
      ? `this server does not answer to the name ${shown}, only to localhost, IP addresses and ` +
          `${expected.display} (PUBLIC_URL), as a guard against DNS rebinding. If you reach it by this name, ` +
          'set PUBLIC_URL to that address and restart it'
      : `this server does not answer to the name ${shown}, only to localhost and IP addresses, as a guard ` +
          'against DNS rebinding. If you reach it by this name, set PUBLIC_URL to that address (for example ' +
          `PUBLIC_URL=http://${raw}, or https:// behind TLS) and restart it`,
  );
}

export function registerHostGuard(app: FastifyInstance, options: { publicUrl: string | undefined }): void {
  const expected = options.publicUrl ? publicHostOf(options.publicUrl) : undefined;
  app.addHook('onRequest', async (request) => checkHost(request, expected));
}
