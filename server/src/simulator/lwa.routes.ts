// Login with Amazon's token endpoint (POST /auth/o2/token). amazon-sp-api sends a JSON body with the client
// credentials in it; other clients send a form, or the credentials as HTTP Basic auth. All are accepted.

import type { Reply, SimRequest } from './http-kit.ts';
import { isRecord, json } from './http-kit.ts';
import type { SimulatorState, TokenGrant } from './state.ts';
import { ACCESS_TOKEN_TTL_S } from './state.ts';

const LWA_HEADERS = { 'content-type': 'application/json;charset=UTF-8', 'cache-control': 'no-store' };
const GRANTLESS_SCOPES = [
  'sellingpartnerapi::notifications',
  'sellingpartnerapi::client_credential:rotation',
];

function lwaError(status: number, error: string, description: string): Reply {
  return { status, body: { error, error_description: description }, headers: LWA_HEADERS };
}

/** Every parameter of the token request as strings, whatever the body's encoding. */
export function tokenParams(req: SimRequest): Record<string, string> {
  const text = req.body.toString('utf8').trim();
  const type = String(req.headers['content-type'] ?? '');
  const params: Record<string, string> = {};
  let parsed = false;
  if (!type.includes('x-www-form-urlencoded') && text.startsWith('{')) {
    try {
      const body = JSON.parse(text) as unknown;
      if (isRecord(body)) {
        for (const [k, v] of Object.entries(body)) if (typeof v === 'string') params[k] = v;
        parsed = true;
      }
    } catch {
      parsed = false;
    }
  }
  if (!parsed) for (const [k, v] of new URLSearchParams(text)) params[k] = v;
  const basic = /^Basic\s+(.+)$/i.exec(String(req.headers.authorization ?? ''));
  if (basic?.[1] && params.client_id === undefined) {
    const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) {
      params.client_id = decodeURIComponent(decoded.slice(0, colon));
      params.client_secret = decodeURIComponent(decoded.slice(colon + 1));
    }
  }
  return params;
}

/** The seller a token request is about, when the request names one we know (for counters and faults). */
export function tokenRequestSeller(
  state: SimulatorState,
  params: Record<string, string>,
): string | undefined {
  return params.refresh_token ? state.sellerOfRefreshToken(params.refresh_token) : undefined;
}

export function handleTokenRequest(state: SimulatorState, params: Record<string, string>): Reply {
  if (!state.checkClient(params.client_id, params.client_secret)) {
    return lwaError(401, 'invalid_client', 'Client authentication failed');
  }
  let grant: TokenGrant;
  switch (params.grant_type) {
    case 'refresh_token':
      if (!params.refresh_token) return missing('refresh_token');
      grant = state.grantFromRefreshToken(params.refresh_token);
      break;
    case 'authorization_code':
      if (!params.code) return missing('code');
      grant = state.grantFromAuthorizationCode(params.code, params.redirect_uri);
      break;
    case 'client_credentials':
      if (!params.scope || !GRANTLESS_SCOPES.includes(params.scope)) {
        return lwaError(400, 'invalid_scope', 'An unknown scope was requested');
      }
      grant = state.grantlessToken();
      break;
    case undefined:
      return missing('grant_type');
    default:
      return lwaError(400, 'unsupported_grant_type', `Unsupported grant_type: ${params.grant_type}`);
  }
  if (!grant.ok)
    return lwaError(grant.error === 'invalid_client' ? 401 : 400, grant.error, grant.description);
  return json(
    200,
    {
      access_token: grant.accessToken,
      ...(grant.refreshToken ? { refresh_token: grant.refreshToken } : {}),
      token_type: 'bearer',
      expires_in: ACCESS_TOKEN_TTL_S,
    },
    LWA_HEADERS,
  );
}

function missing(parameter: string): Reply {
  return lwaError(400, 'invalid_request', `The request is missing a required parameter : ${parameter}`);
}
