import type { Agent } from 'node:https';
import { SellingPartner } from 'amazon-sp-api';
import type { SpApiRegion } from './marketplaces.ts';

/** What we use of an amazon-sp-api SellingPartner instance, typed at the boundary. */
export interface SellingPartnerLike {
  readonly access_token: string | undefined;
  refreshAccessToken(): Promise<void>;
  callAPI(
    req: (SpApiTarget | SpApiPathTarget) & {
      path?: Record<string, string>;
      query?: Record<string, unknown>;
      body?: Record<string, unknown>;
      options: { raw_result: true };
    },
  ): Promise<RawResponse>;
  download(
    details: { url: string; compressionAlgorithm: 'GZIP' },
    options: { unzip: false; timeouts: { response: number; idle: number } },
  ): Promise<Buffer>;
}

/** An operation the package knows by name, under one of its endpoints. */
interface SpApiTarget {
  operation: string;
  endpoint: string;
}

/** A request by path: the package sends it as it would the named operation, without the operation's metadata. */
export interface SpApiPathTarget {
  api_path: string;
  method: 'GET';
}

/** The shape `raw_result: true` returns (lib/Request.js `execute`). */
export interface RawResponse {
  statusCode: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  chunks: Buffer[];
}

interface SellingPartnerConfig {
  region: SpApiRegion;
  refreshToken: string;
  clientId: string;
  clientSecret: string;
  agent: Agent | undefined;
  timeoutMs: number;
}

/**
 * Builds the package client with every input explicit. Passing `credentials` keeps it from reading
 * ~/.amzspapi/credentials or SELLING_PARTNER_* environment variables. Its own retries are off: the 429 retry
 * is unbounded recursion sleeping on real timers, and the ETIMEDOUT/ECONNRESET retry loops forever (its
 * back-off only runs when debug_log is on). `debug_log` stays off because it prints request objects,
 * access token included.
 */
export function createSellingPartner(config: SellingPartnerConfig): SellingPartnerLike {
  const sp = new SellingPartner({
    region: config.region,
    refresh_token: config.refreshToken,
    credentials: {
      SELLING_PARTNER_APP_CLIENT_ID: config.clientId,
      SELLING_PARTNER_APP_CLIENT_SECRET: config.clientSecret,
    },
    endpoints_versions: { reports: '2021-06-30', sellers: 'v1' },
    options: {
      auto_request_tokens: true,
      auto_request_throttled: false,
      retry_remote_timeout: false,
      version_fallback: false,
      use_sandbox: false,
      debug_log: false,
      timeouts: { response: config.timeoutMs, idle: config.timeoutMs },
      ...(config.agent ? { https_proxy_agent: config.agent } : {}),
    },
  });
  return sp as unknown as SellingPartnerLike;
}
