// Seller Central's consent page (`/apps/authorize/consent`), as a plain HTML form: the seller picks which of the
// simulator's sellers they are, then approves or denies. Approving sends the browser to the app's redirect URI
// with `state`, `selling_partner_id` and `spapi_oauth_code`, as Amazon does (docs/oauth.md §2); denying sends it
// there with OAuth's `error=access_denied` and no code (docs/oauth.md §3).

import type { Reply, SimRequest } from './http-kit.ts';
import type { AccountView, SimulatorState } from './state.ts';
import { marketplaceInfo } from './marketplaces.ts';
import { isSpApiRegion, type SpApiRegion } from '../spapi/marketplaces.ts';

export const CONSENT_PATH = '/apps/authorize/consent';

const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  // The page's URL carries the app's state: it goes nowhere else (Amazon asks apps to do the same).
  'referrer-policy': 'no-referrer',
};

/** What a consent request says, from the query (GET) or the form (POST). */
interface ConsentRequest {
  applicationId: string | undefined;
  state: string | undefined;
  version: string | undefined;
  redirectUri: string | undefined;
  /**
   * Simulator only: Amazon knows the region from the Seller Central host the browser went to, but a browser
   * reaches the simulator by its own address, so the app names the region here. Without it, every seller shows.
   */
  region: SpApiRegion | undefined;
}

function readConsentRequest(params: URLSearchParams): ConsentRequest {
  const value = (name: string) => params.get(name) ?? undefined;
  const region = value('region');
  return {
    applicationId: value('application_id'),
    state: value('state'),
    version: value('version'),
    redirectUri: value('redirect_uri'),
    region: isSpApiRegion(region) ? region : undefined,
  };
}

/** Why Amazon would show an error page instead of the consent form, or undefined when it shows the form. */
function refusal(state: SimulatorState, consent: ConsentRequest): Reply | undefined {
  if (consent.applicationId !== state.applicationId) {
    return errorPage(
      400,
      'This application could not be found',
      `No application has the id ${JSON.stringify(consent.applicationId ?? '')}. Check the application_id ` +
        'in the authorization URI.',
    );
  }
  // Amazon's MD1000: a draft app is only authorized through a URI with version=beta.
  if (state.appDraft && consent.version !== 'beta') {
    return errorPage(
      400,
      'MD1000',
      'This application is in draft status: add version=beta to the authorization URI.',
    );
  }
  // Amazon's MD5101 is a redirect URI the app did not register. The simulator has no registration, so it
  // takes any http(s) address, but it needs one: there is no registered default to fall back on.
  if (!isWebAddress(consent.redirectUri)) {
    return errorPage(
      400,
      'MD5101',
      'The authorization URI needs a redirect_uri: an http:// or https:// address to send the browser back to.',
    );
  }
  return undefined;
}

export function handleConsent(state: SimulatorState, req: SimRequest): Reply {
  if (req.method === 'GET') {
    const consent = readConsentRequest(req.url.searchParams);
    return refusal(state, consent) ?? consentPage(state, consent);
  }
  if (req.method === 'POST') {
    const form = new URLSearchParams(req.body.toString('utf8'));
    const consent = readConsentRequest(form);
    const refused = refusal(state, consent);
    if (refused) return refused;
    const redirectUri = consent.redirectUri!;
    if (form.get('decision') === 'deny') {
      return redirect(redirectUri, {
        error: 'access_denied',
        error_description: 'The selling partner denied the authorization request',
        state: consent.state,
      });
    }
    if (form.get('decision') !== 'approve') {
      return errorPage(400, 'No decision', 'Choose Approve or Deny.');
    }
    const sellerId = form.get('selling_partner_id') ?? '';
    const seller = state.getAccount(sellerId);
    if (!seller || (consent.region && seller.region !== consent.region)) {
      return errorPage(
        400,
        'No such selling account',
        `Pick one of the listed sellers; ${JSON.stringify(sellerId)} is not one of them.`,
      );
    }
    return redirect(redirectUri, {
      state: consent.state,
      selling_partner_id: seller.sellerId,
      spapi_oauth_code: state.issueAuthorizationCode(seller.sellerId, redirectUri),
    });
  }
  return errorPage(405, 'Method not allowed', 'Open this page with GET; the form posts to it.');
}

function redirect(target: string, params: Record<string, string | undefined>): Reply {
  const url = new URL(target);
  for (const [key, value] of Object.entries(params))
    if (value !== undefined) url.searchParams.set(key, value);
  return {
    status: 302,
    body: '',
    headers: { location: url.toString(), 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' },
  };
}

function isWebAddress(value: string | undefined): value is string {
  if (!value) return false;
  try {
    const { protocol } = new URL(value);
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}

function sellerLabel(seller: AccountView): string {
  const countries = seller.marketplaceIds.map((id) => marketplaceInfo(id)?.countryCode ?? id).join(', ');
  return `${seller.name} (${seller.sellerId}, ${countries})`;
}

function consentPage(state: SimulatorState, consent: ConsentRequest): Reply {
  const sellers = state
    .listAccounts()
    .filter((a) => consent.region === undefined || a.region === consent.region);
  const hidden = (name: string, value: string | undefined) =>
    value === undefined ? '' : `<input type="hidden" name="${name}" value="${escapeHtml(value)}">`;
  const choices = sellers
    .map(
      (seller, i) =>
        `<div><input type="radio" id="seller-${i}" name="selling_partner_id" value="${escapeHtml(seller.sellerId)}"` +
        `${i === 0 ? ' checked' : ''} required> <label for="seller-${i}">${escapeHtml(sellerLabel(seller))}</label></div>`,
    )
    .join('\n');
  const body = `<main>
<h1>Authorize the application</h1>
<p>Application <code>${escapeHtml(state.applicationId)}</code>${state.appDraft ? ' (draft)' : ''} asks to call the
Selling Partner API on behalf of the selling account you choose.</p>
<form method="post" action="${CONSENT_PATH}">
${hidden('application_id', consent.applicationId)}
${hidden('state', consent.state)}
${hidden('version', consent.version)}
${hidden('redirect_uri', consent.redirectUri)}
${hidden('region', consent.region)}
<fieldset>
<legend>Selling account${consent.region ? ` (${consent.region.toUpperCase()} region)` : ''}</legend>
${choices || '<p>The simulator has no seller in this region.</p>'}
</fieldset>
<p>
<button type="submit" name="decision" value="approve"${sellers.length === 0 ? ' disabled' : ''}>Approve</button>
<button type="submit" name="decision" value="deny" formnovalidate>Deny</button>
</p>
</form>
</main>`;
  return {
    status: 200,
    body: html('Authorize the application · SP-API simulator', body),
    headers: PAGE_HEADERS,
  };
}

function errorPage(status: number, title: string, message: string): Reply {
  const body = `<main>\n<h1>${escapeHtml(title)}</h1>\n<p role="alert">${escapeHtml(message)}</p>\n</main>`;
  return { status, body: html(`${title} · SP-API simulator`, body), headers: PAGE_HEADERS };
}

function html(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
</head>
<body>
${body}
</body>
</html>
`;
}

function escapeHtml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}
