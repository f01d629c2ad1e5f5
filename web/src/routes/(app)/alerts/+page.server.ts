import { redirect } from '@sveltejs/kit';
import { api, ApiError, type AlertList, type CaseSummary, type RuleInfo, type SellerAccount } from '$lib/api';
import { failPage, read } from '$lib/server/load';
import { casesByAlert } from '../cases/case-links';
import { apiQuery, parseAlertsQuery } from './alert-links';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ fetch, url, depends }) => {
  depends('app:alerts');
  const query = parseAlertsQuery(url.searchParams);
  const [list, rules, accounts, cases] = await Promise.all([
    api<AlertList>(fetch, `/api/alerts?${apiQuery(query)}`).catch((error: unknown) => {
      // A rule this server does not know (an old bookmark): the plain inbox, not an error page.
      if (error instanceof ApiError && error.status === 400 && url.search !== '') redirect(303, '/alerts');
      failPage(error);
    }),
    read<RuleInfo[]>(fetch, '/api/alerts/rules'),
    read<SellerAccount[]>(fetch, '/api/accounts'),
    // Which alerts have a case, in one request for the whole page. Without the answer every alert offers to start
    // one, and /cases/new still opens the existing case.
    api<CaseSummary[]>(fetch, '/api/cases?state=all').catch((error: unknown) => {
      if (error instanceof ApiError) return [];
      throw error;
    }),
  ]);
  return {
    list,
    query,
    rules,
    accounts: accounts.map((a) => ({ id: a.id, name: a.name })),
    /** Marketplace ids by the names Amazon gives them, "US · Amazon.com". */
    marketplaces: Object.fromEntries(
      accounts.flatMap((a) =>
        a.marketplaces.map((m) => [
          m.marketplaceId,
          [m.countryCode, m.name].filter((x) => x !== null).join(' · ') || m.marketplaceId,
        ]),
      ),
    ) as Record<string, string>,
    /** The case of each alert that has one, by the alert's id. */
    caseOfAlert: casesByAlert(cases),
    loadedAt: Date.now(),
  };
};
