import { invalidate, invalidateAll } from '$app/navigation';
import { navigating } from '$app/state';

/**
 * Reloads the page's data in the background (the live board, a poll that ended), unless the user is going
 * somewhere: SvelteKit lets an invalidation take over a navigation under way, so a search typed while the board
 * refreshed used to be dropped, the address and the rows left as they were. The navigation's own load reads
 * fresh data anyway.
 */
export async function reloadUnlessNavigating(dependency?: `app:${string}`): Promise<void> {
  if (navigating.to) return;
  await (dependency ? invalidate(dependency) : invalidateAll());
}
