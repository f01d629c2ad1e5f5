import https from 'node:https';
import net from 'node:net';
import type { Duplex } from 'node:stream';

/**
 * The SPAPI_ENDPOINT transport seam (docs/transport-seam.md). amazon-sp-api builds every request itself
 * against Amazon's host names on port 443 and hands our agent to each of them, so swapping only the socket
 * sends LWA, SP-API and document requests unencrypted to a local server with their Host header intact,
 * while the package's request, token and download code stays the production path.
 */
export function createLocalTransportAgent(endpoint: string): https.Agent {
  const url = new URL(endpoint);
  if (url.protocol !== 'http:') {
    throw new Error(`SP-API endpoint must be a plain http:// URL, got ${url.protocol}//${url.host}`);
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = url.port === '' ? 80 : Number(url.port);
  return new LocalTransportAgent(host, port);
}

class LocalTransportAgent extends https.Agent {
  readonly #host: string;
  readonly #port: number;

  constructor(host: string, port: number) {
    super({ keepAlive: true });
    this.#host = host;
    this.#port = port;
  }

  // Returning the socket synchronously is enough: Agent#createSocket uses it and never waits for the callback.
  override createConnection(): Duplex {
    return net.connect({ host: this.#host, port: this.#port });
  }
}

const sharedAgents = new Map<string, https.Agent>();

/**
 * One agent per endpoint for the whole process: every seller's client shares its keep-alive sockets, as they
 * would share the global agent against Amazon, instead of each account holding connections of its own.
 */
export function sharedLocalTransportAgent(endpoint: string): https.Agent {
  let agent = sharedAgents.get(endpoint);
  if (!agent) {
    agent = createLocalTransportAgent(endpoint);
    sharedAgents.set(endpoint, agent);
  }
  return agent;
}
