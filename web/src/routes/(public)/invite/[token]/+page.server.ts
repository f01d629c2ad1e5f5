import { api, ApiError } from '$lib/api';
import { failPage } from '$lib/server/load';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ fetch, params }) => {
  try {
    return {
      invite: await api<{ email: string }>(fetch, `/api/invites/${encodeURIComponent(params.token)}`),
    };
  } catch (error) {
    // Used, expired or mistyped: the page itself explains it.
    if (error instanceof ApiError && (error.status === 404 || error.status === 410)) return { invite: null };
    failPage(error);
  }
};
