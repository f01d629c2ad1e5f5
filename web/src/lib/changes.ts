import { invalidateAll } from '$app/navigation';
import { page } from '$app/state';
import { ApiError, send, type Change } from '$lib/api';

/**
 * A change made from the browser, signed with this session's CSRF token (see `send` for why changes are not
 * form actions). A 401 while signed in means the session ended meanwhile (signed out elsewhere, revoked):
 * reloading the page's data takes the user to sign-in and back here.
 */
export async function change<T = unknown>(method: Change, path: string, body?: unknown): Promise<T> {
  const session = page.data.session;
  try {
    return await send<T>(fetch, method, path, { body, csrfToken: session?.csrfToken });
  } catch (error) {
    if (error instanceof ApiError && error.status === 401 && session) await invalidateAll();
    throw error;
  }
}
