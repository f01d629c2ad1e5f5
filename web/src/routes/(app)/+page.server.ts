import { redirect } from '@sveltejs/kit';
import { api, ApiError, type Board, type CaseSummary } from '$lib/api';
import { failPage } from '$lib/server/load';
import type { PageServerLoad } from './$types';

/** The query the board understands; anything else in the URL is not passed on. */
const BOARD_PARAMS = ['q', 'standing', 'marketplace', 'sort', 'dir', 'page'] as const;

export const load: PageServerLoad = async ({ fetch, url, depends }) => {
  // Live updates re-run this load when the overview's version changes (see LiveUpdates.svelte).
  depends('app:overview');
  const query = new URLSearchParams();
  for (const name of BOARD_PARAMS) {
    const value = url.searchParams.get(name);
    if (value) query.set(name, value);
  }
  try {
    const [board, cases] = await Promise.all([
      api<Board>(fetch, `/api/overview/board?${query}`),
      // The open cases above the board; without them the overview still shows, and leaves their panel out.
      api<CaseSummary[]>(fetch, '/api/cases?state=open').catch((error: unknown) => {
        if (error instanceof ApiError) return null;
        throw error;
      }),
    ]);
    return { board, cases };
  } catch (error) {
    // A hand-edited or outdated link (a sort that no longer exists): the plain overview, not an error page.
    if (error instanceof ApiError && error.status === 400 && query.size > 0) redirect(303, '/');
    failPage(error);
  }
};
