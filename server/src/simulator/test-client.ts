// A tiny HTTP client for the simulator's tests: node:http, so a test can send the Host header a real client
// would (api.amazon.com, sellingpartnerapi-na.amazon.com, the S3 host), which fetch does not allow.

import { request } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import type { RunningSimulator } from './index.ts';
import type { SpApiRegion } from '../spapi/marketplaces.ts';

interface SimResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  text: string;
  json: <T = unknown>() => T;
}

interface SimCall {
  method?: string;
  /** Path and query, e.g. `/reports/2021-06-30/reports?reportTypes=X`. */
  path: string;
  host?: string;
  headers?: Record<string, string>;
  /** Objects are sent as JSON. */
  body?: unknown;
  timeoutMs?: number;
}

export function call(sim: RunningSimulator, c: SimCall): Promise<SimResponse> {
  const payload =
    c.body === undefined ? undefined : typeof c.body === 'string' ? c.body : JSON.stringify(c.body);
  const headers: Record<string, string> = { ...c.headers };
  if (c.host) headers.host = c.host;
  if (payload !== undefined) {
    headers['content-type'] ??= 'application/json';
    headers['content-length'] = String(Buffer.byteLength(payload));
  }
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: sim.port, method: c.method ?? 'GET', path: c.path, headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          const text = body.toString('utf8');
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body,
            text,
            json: <T>() => JSON.parse(text) as T,
          });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    if (c.timeoutMs) req.setTimeout(c.timeoutMs, () => req.destroy(new Error('client timeout')));
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

/** Exchanges a refresh token for an access token the way amazon-sp-api does (JSON body, api.amazon.com). */
export async function accessTokenFor(
  sim: RunningSimulator,
  refreshToken: string,
  client = { id: sim.state.clientId, secret: sim.state.clientSecret },
): Promise<string> {
  const res = await call(sim, {
    method: 'POST',
    path: '/auth/o2/token',
    host: 'api.amazon.com',
    body: {
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
      client_id: client.id,
      client_secret: client.secret,
    },
  });
  if (res.status !== 200) throw new Error(`token request failed: ${res.status} ${res.text}`);
  return res.json<{ access_token: string }>().access_token;
}

/** An SP-API call as a seller, with the regional host. */
export function spApi(
  sim: RunningSimulator,
  token: string,
  c: Omit<SimCall, 'headers'> & { region?: SpApiRegion },
): Promise<SimResponse> {
  return call(sim, {
    ...c,
    host: c.host ?? `sellingpartnerapi-${c.region ?? 'na'}.amazon.com`,
    headers: { 'x-amz-access-token': token },
  });
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
