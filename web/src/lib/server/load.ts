import { error, redirect } from '@sveltejs/kit';
import { api, ApiError, type Fetch, type Session } from '$lib/api';

/**
 * A page's read from the API; a failure becomes the error page (see `failPage`).
 */
export async function read<T>(fetch: Fetch, path: string): Promise<T> {
  try {
    return await api<T>(fetch, path);
  } catch (cause) {
    failPage(cause);
  }
}

/**
 * The error page at the API's own status and message: a load that throws anything else is a 500 that tells the
 * user nothing. No answer at all is a 503.
 */
export function failPage(cause: unknown): never {
  if (!(cause instanceof ApiError)) throw cause;
  if (cause.status >= 400 && cause.status <= 599) error(cause.status, cause.message);
  error(cause.unreachable ? 503 : 502, cause.message);
}

/** Admin pages: a viewer gets a 403 page that says why, rather than a page of controls that would all fail. */
export function requireAdmin(session: Session | null, what: string): Session {
  if (!session) redirect(303, '/sign-in');
  if (session.user.role !== 'admin') {
    error(403, `Only admins can ${what}. Ask an admin of this Good Standing if you need to.`);
  }
  return session;
}
