import type { SellerAccount } from '$lib/api';
import { read } from '$lib/server/load';
import type { AccountNotifications, NotificationSettings } from '../../notifications';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ fetch, params }) => {
  const id = encodeURIComponent(params.id);
  const [account, own, global] = await Promise.all([
    read<SellerAccount>(fetch, `/api/accounts/${id}`),
    read<AccountNotifications>(fetch, `/api/accounts/${id}/notifications`),
    read<NotificationSettings>(fetch, '/api/notifications/settings'),
  ]);
  return {
    account: { id: account.id, name: account.name },
    own,
    global: { recipients: global.effectiveRecipients, alerts: global.alerts },
  };
};
