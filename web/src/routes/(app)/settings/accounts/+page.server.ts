import type { SellerAccount } from '$lib/api';
import { read } from '$lib/server/load';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ fetch, depends }) => {
  depends('app:accounts');
  return { accounts: await read<SellerAccount[]>(fetch, '/api/accounts'), loadedAt: Date.now() };
};
