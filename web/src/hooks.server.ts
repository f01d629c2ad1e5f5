import { redirect, type Handle, type HandleServerError } from '@sveltejs/kit';
import { api, ApiError, type Session } from '$lib/api';
import { safeNext, signInPath } from '$lib/paths';

/**
 * Asks the API who the visitor is, once per request, before any load runs: every page below `(app)` needs a
 * session, so a signed-out visitor is sent to sign in (and brought back), and with no user at all to setup.
 * Kit's server `fetch` forwards the visitor's cookies to same-origin `/api` calls and passes the API's
 * `set-cookie` on to the browser, which is how the demo admin the API signs in on this call stays signed in.
 */
export const handle: Handle = async ({ event, resolve }) => {
  const { fetch, url } = event;
  // A load's own call to the API passes through here too (Kit then sends it on over HTTP): it is not a page.
  if (url.pathname === '/api' || url.pathname.startsWith('/api/')) return resolve(event);

  const routeId = event.route.id ?? '';
  const found = await readSession(fetch);
  event.locals.session = 'session' in found ? found.session : null;
  event.locals.apiUnavailable = 'unavailable' in found ? found.unavailable : null;

  // The status page answers whatever the state of sign-in: it is where to look when sign-in cannot work.
  if (routeId === '/(public)/status' || event.locals.apiUnavailable) return uncached(await resolve(event));

  const session = event.locals.session;
  if (!session) {
    const setupNeeded = await isSetupNeeded(fetch);
    if (setupNeeded && routeId !== '/(public)/setup') redirect(303, '/setup');
    if (!setupNeeded && routeId === '/(public)/setup') redirect(303, '/sign-in');
    if (routeId.startsWith('/(app)')) redirect(303, signInPath(url.pathname + url.search));
  } else {
    if (routeId === '/(public)/setup') redirect(303, '/');
    if (routeId === '/(public)/sign-in') redirect(303, safeNext(url.searchParams.get('next')));
  }
  return uncached(await resolve(event));
};

/**
 * Pages carry the visitor's session, CSRF token and sellers' figures: no cache, shared or private, keeps them,
 * and a revisit is always a fresh page with its own Content-Security-Policy (never a 304 without one).
 */
function uncached(response: Response): Response {
  response.headers.set('cache-control', 'no-store');
  response.headers.delete('etag');
  return response;
}

type SessionLookup = { session: Session | null } | { unavailable: string };

async function readSession(fetch: typeof globalThis.fetch): Promise<SessionLookup> {
  try {
    return { session: await api<Session>(fetch, '/api/auth/session') };
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return { session: null };
    if (error instanceof ApiError) return { unavailable: error.message };
    throw error;
  }
}

async function isSetupNeeded(fetch: typeof globalThis.fetch): Promise<boolean> {
  try {
    return (await api<{ needed: boolean }>(fetch, '/api/setup')).needed;
  } catch {
    // The sign-in page then says what is wrong when it is used; guessing "setup" could offer it twice.
    return false;
  }
}

// Kit logs every error by default, 404s included; a mistyped URL is not worth a stack trace in the log.
export const handleError: HandleServerError = ({ error, event, status, message }) => {
  if (status !== 404) console.error(`${event.request.method} ${event.url.pathname} failed:`, error);
  return { message };
};
