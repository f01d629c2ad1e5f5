import { redirect } from '@sveltejs/kit';
import { api, ApiError } from '$lib/api';
import { failPage, requireAdmin } from '$lib/server/load';
import { apiQuery, parseOutboxQuery } from './outbox-links';
import type { OutboxList } from './outbox';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ fetch, locals, url, depends }) => {
  requireAdmin(locals.session, 'read the outbox');
  depends('app:outbox');
  const query = parseOutboxQuery(url.searchParams);
  const list = await api<OutboxList>(fetch, `/api/outbox?${apiQuery(query)}`).catch((error: unknown) => {
    // A filter this server does not know (an old bookmark): the plain outbox, not an error page.
    if (error instanceof ApiError && error.status === 400 && url.search !== '') redirect(303, '/outbox');
    failPage(error);
  });
  return { list, query, loadedAt: Date.now() };
};
