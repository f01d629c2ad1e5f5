import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalTransportAgent } from './transport.ts';

interface Seen {
  host: string | undefined;
  method: string | undefined;
  url: string | undefined;
  remotePort: number | undefined;
}

describe('createLocalTransportAgent', () => {
  const seen: Seen[] = [];
  let server: http.Server;
  let endpoint: string;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      seen.push({
        host: req.headers.host,
        method: req.method,
        url: req.url,
        remotePort: req.socket.remotePort,
      });
      res.setHeader('content-type', 'text/plain');
      res.end(`hello ${req.headers.host}`);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  function get(agent: https.Agent, url: string): Promise<{ status: number | undefined; body: string }> {
    return new Promise((resolve, reject) => {
      const req = https.request(url, { agent, method: 'GET' }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode, body }));
      });
      req.on('error', reject);
      req.end();
    });
  }

  it('sends https requests in plain text to the local port with the original Host header', async () => {
    seen.length = 0;
    const agent = createLocalTransportAgent(endpoint);
    const api = await get(
      agent,
      'https://sellingpartnerapi-eu.amazon.com/reports/2021-06-30/reports?pageSize=1',
    );
    const doc = await get(
      agent,
      'https://tortuga-prod-eu.s3-eu-west-1.amazonaws.com/doc-1?X-Amz-Expires=300',
    );
    agent.destroy();

    expect(api).toEqual({ status: 200, body: 'hello sellingpartnerapi-eu.amazon.com' });
    expect(doc.body).toBe('hello tortuga-prod-eu.s3-eu-west-1.amazonaws.com');
    expect(seen.map((s) => [s.host, s.url])).toEqual([
      ['sellingpartnerapi-eu.amazon.com', '/reports/2021-06-30/reports?pageSize=1'],
      ['tortuga-prod-eu.s3-eu-west-1.amazonaws.com', '/doc-1?X-Amz-Expires=300'],
    ]);
  });

  it('keeps connections alive between requests to the same host', async () => {
    seen.length = 0;
    const agent = createLocalTransportAgent(endpoint);
    await get(agent, 'https://api.amazon.com/auth/o2/token');
    await get(agent, 'https://api.amazon.com/auth/o2/token');
    agent.destroy();

    expect(seen).toHaveLength(2);
    expect(seen[0]?.remotePort).toBeDefined();
    expect(seen[1]?.remotePort).toBe(seen[0]?.remotePort);
  });

  it('refuses an endpoint that is not plain http', () => {
    expect(() => createLocalTransportAgent('https://127.0.0.1:4010')).toThrow(/plain http/);
  });

  it('fails the request when nothing listens at the endpoint', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const agent = createLocalTransportAgent(`http://127.0.0.1:${port}`);
    await expect(get(agent, 'https://api.amazon.com/')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    agent.destroy();
  });
});
