import type { ApiToken } from '$lib/api';
import { read, requireAdmin } from '$lib/server/load';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ fetch, locals, depends }) => {
  requireAdmin(locals.session, 'manage API tokens');
  depends('app:tokens');
  return { tokens: await read<ApiToken[]>(fetch, '/api/tokens'), loadedAt: Date.now() };
};
