import { read, requireAdmin } from '$lib/server/load';
import type { OutboxMessageFull } from '../outbox';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ fetch, locals, params, depends }) => {
  requireAdmin(locals.session, 'read the outbox');
  depends('app:outbox-message');
  return {
    message: await read<OutboxMessageFull>(fetch, `/api/outbox/${encodeURIComponent(params.id)}`),
    loadedAt: Date.now(),
  };
};
