import type { SellerAccount } from '$lib/api';
import { read } from '$lib/server/load';
import type { Endpoint, NotificationSettings } from './notifications';
import type { PageServerLoad } from './$types';

// Everyone signed in reads the settings in use; the webhooks, their addresses hinted at only, are the admins'.
export const load: PageServerLoad = async ({ fetch, locals }) => {
  const isAdmin = locals.session?.user.role === 'admin';
  const [settings, endpoints, accounts] = await Promise.all([
    read<NotificationSettings>(fetch, '/api/notifications/settings'),
    isAdmin ? read<{ endpoints: Endpoint[] }>(fetch, '/api/notifications/endpoints') : null,
    read<SellerAccount[]>(fetch, '/api/accounts'),
  ]);
  return {
    settings,
    endpoints: endpoints?.endpoints ?? null,
    accounts: accounts.map((a) => ({ id: a.id, name: a.name })),
    loadedAt: Date.now(),
  };
};
