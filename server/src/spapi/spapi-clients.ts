import {
  createSpApiClient,
  type SpApiAppCredentials,
  type SpApiCallEvent,
  type SpApiClient,
} from './client.ts';
import type { SpApiRegion } from './marketplaces.ts';
import type { SecretBox } from '../crypto/secrets.ts';
import type { SellerRateLimiter } from './rate-limiter.ts';
import { exchangeAuthorizationCode, type ExchangedTokens } from './lwa.ts';

export interface SpApiSettings {
  app: SpApiAppCredentials;
  /** Transport seam: every request goes to this local address (the simulator in demo mode and tests). */
  endpoint: string | undefined;
  timeoutMs?: number;
  /**
   * The app as Amazon's consent flow names it (docs/oauth.md §1): its id, and whether it is still a draft.
   * Undefined when none is configured: accounts are then connected with pasted refresh tokens only.
   */
  application?: { id: string; draft: boolean };
}

type CallSink = (event: SpApiCallEvent) => void;

/** What a client needs of a connected account; declared here so spapi/ never depends on the database schema. */
interface SpApiAccount {
  id: string;
  seller_id: string;
  region: SpApiRegion;
  /** A SecretBox envelope; null once the account is disconnected. */
  refresh_token_encrypted: string | null;
}

/**
 * One client per connected account, kept between polls so the LWA access token (valid an hour) is reused
 * rather than fetched on every poll. Each call's metrics go to whichever run is polling the account now.
 */
export class SpApiClients {
  private readonly clients = new Map<string, { envelope: string; client: SpApiClient; usedAt: number }>();
  private readonly sinks = new Map<string, CallSink>();

  constructor(
    private readonly settings: SpApiSettings,
    private readonly secrets: SecretBox,
    private readonly limiter: SellerRateLimiter,
  ) {}

  forAccount(account: SpApiAccount): SpApiClient {
    const envelope = account.refresh_token_encrypted;
    if (!envelope) throw new Error('account has no refresh token; connect it again');
    const cached = this.clients.get(account.id);
    if (cached && cached.envelope === envelope) {
      cached.usedAt = Date.now();
      return cached.client;
    }
    const sellerKey = `${account.region}:${account.seller_id}`;
    const client = createSpApiClient({
      region: account.region,
      refreshToken: this.secrets.open(envelope),
      app: this.settings.app,
      endpoint: this.settings.endpoint,
      timeoutMs: this.settings.timeoutMs,
      onCall: (event) => {
        if (event.outcome === 'throttled') this.limiter.drain(sellerKey, event.operation);
        this.sinks.get(account.id)?.(event);
      },
      beforeCall: (operation, signal) => this.limiter.acquire(sellerKey, operation, signal),
    });
    this.clients.set(account.id, { envelope, client, usedAt: Date.now() });
    return client;
  }

  /** A client for a token not stored yet (connecting an account checks the token before saving it). */
  forToken(region: SpApiRegion, refreshToken: string, sellerId: string): SpApiClient {
    // Paced with the seller's polls: many connect attempts at once wait their turn under Amazon's usage plan
    // instead of each spending the seller's quota.
    const sellerKey = `${region}:${sellerId}`;
    return createSpApiClient({
      region,
      refreshToken,
      app: this.settings.app,
      endpoint: this.settings.endpoint,
      timeoutMs: this.settings.timeoutMs,
      onCall: (event) => {
        if (event.outcome === 'throttled') this.limiter.drain(sellerKey, event.operation);
      },
      beforeCall: (operation, signal) => this.limiter.acquire(sellerKey, operation, signal),
    });
  }

  /** The app the consent flow authorizes; undefined when the flow is not set up. */
  get application(): SpApiSettings['application'] {
    return this.settings.application;
  }

  /** The transport seam's address: where Amazon, its consent page included, is played by the simulator. */
  get endpoint(): string | undefined {
    return this.settings.endpoint;
  }

  /** Exchanges a consent flow's code for the seller's refresh token, with this app's credentials. */
  exchangeAuthorizationCode(
    code: string,
    redirectUri: string,
    signal?: AbortSignal,
  ): Promise<ExchangedTokens> {
    return exchangeAuthorizationCode({
      code,
      redirectUri,
      app: this.settings.app,
      endpoint: this.settings.endpoint,
      timeoutMs: this.settings.timeoutMs,
      signal,
    });
  }

  /** Routes the account's call events to `sink` until the returned function is called. */
  observe(accountId: string, sink: CallSink): () => void {
    this.sinks.set(accountId, sink);
    return () => {
      if (this.sinks.get(accountId) === sink) this.sinks.delete(accountId);
    };
  }

  forget(accountId: string): void {
    this.clients.delete(accountId);
  }

  /**
   * Drops clients and rate buckets idle for longer than `idleMs` (polls are hours apart, an access token lasts
   * an hour), so a poller serving thousands of accounts keeps a flat memory profile.
   */
  prune(idleMs: number): void {
    const cutoff = Date.now() - idleMs;
    for (const [id, entry] of this.clients)
      if (entry.usedAt < cutoff && !this.sinks.has(id)) this.clients.delete(id);
    this.limiter.prune(idleMs);
  }
}
