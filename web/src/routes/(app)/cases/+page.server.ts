import type { CaseSummary, SellerAccount } from '$lib/api';
import { read } from '$lib/server/load';
import { apiQuery, parseCasesQuery } from './case-links';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ fetch, url, depends }) => {
  depends('app:cases');
  const query = parseCasesQuery(url.searchParams);
  const [cases, accounts] = await Promise.all([
    read<CaseSummary[]>(fetch, `/api/cases?${apiQuery(query)}`),
    read<SellerAccount[]>(fetch, '/api/accounts'),
  ]);
  return {
    cases,
    query,
    accounts: accounts.map((a) => ({ id: a.id, name: a.name })),
    loadedAt: Date.now(),
  };
};
