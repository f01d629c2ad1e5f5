import { error, redirect } from '@sveltejs/kit';
import type { AlertWithEvents, CaseSummary, SellerAccount } from '$lib/api';
import { read } from '$lib/server/load';
import { openCaseOf, pickCase } from '../case-links';
import { parseNewCase, suggestedMarketplace } from './new-case';
import type { PageServerLoad } from './$types';

// Starting a case: from an alert (`?alert=`, the link on every alert and in alert emails) or for an account's
// marketplace (`?account=&marketplace=`). A case that exists already is opened instead; otherwise the page says
// what the case will be about, and its button opens it.

export const load: PageServerLoad = async ({ fetch, url }) => {
  const asked = parseNewCase(url.searchParams);
  const loadedAt = Date.now();

  if (asked.kind === 'invalid') error(404, asked.problem);

  if (asked.kind === 'alert') {
    const linked = await read<CaseSummary[]>(fetch, `/api/cases?alert=${asked.alertId}&state=all`);
    const existing = pickCase(linked);
    if (existing) redirect(303, `/cases/${existing.id}`);
    const alert = await read<AlertWithEvents>(fetch, `/api/alerts/${asked.alertId}`);
    const [account, open] = await Promise.all([
      read<SellerAccount>(fetch, `/api/accounts/${alert.accountId}`),
      read<CaseSummary[]>(fetch, `/api/cases?account=${alert.accountId}`),
    ]);
    const marketplace = account.marketplaces.find((m) => m.marketplaceId === alert.marketplaceId) ?? null;
    return {
      kind: 'alert' as const,
      alert,
      account: { id: account.id, name: account.name, sellerId: account.sellerId },
      marketplaceName: marketplace
        ? (marketplace.name ?? marketplace.countryCode ?? marketplace.marketplaceId)
        : alert.marketplaceId,
      /** The case the alert's marketplace has open already: starting adds the alert to it. */
      openCase: openCaseOf(open, alert.marketplaceId ?? ''),
      loadedAt,
    };
  }

  if (asked.kind === 'account') {
    const [account, open] = await Promise.all([
      read<SellerAccount>(fetch, `/api/accounts/${asked.accountId}`),
      read<CaseSummary[]>(fetch, `/api/cases?account=${asked.accountId}`),
    ]);
    const known = account.marketplaces.some((m) => m.marketplaceId === asked.marketplaceId);
    const enabled = account.marketplaces.filter((m) => m.enabled || m.marketplaceId === asked.marketplaceId);
    // Named and known, or the only one; an account without marketplaces has one case for the account itself.
    const chosen =
      asked.marketplaceId !== null && known
        ? asked.marketplaceId
        : enabled.length === 1
          ? enabled[0]!.marketplaceId
          : enabled.length === 0
            ? ''
            : null;
    if (chosen !== null) {
      const existing = openCaseOf(open, chosen);
      if (existing) redirect(303, `/cases/${existing.id}`);
    }
    return {
      kind: 'account' as const,
      account: { id: account.id, name: account.name, sellerId: account.sellerId },
      marketplaces: enabled.map((m) => ({
        id: m.marketplaceId,
        name: m.name ?? m.countryCode ?? m.marketplaceId,
        accountStatus: m.accountStatus,
        openCaseId: openCaseOf(open, m.marketplaceId)?.id ?? null,
      })),
      chosen,
      suggested: chosen ?? suggestedMarketplace(enabled),
      /** A marketplace asked for in the address that the account does not have. */
      unknownMarketplace: asked.marketplaceId !== null && !known ? asked.marketplaceId : null,
      loadedAt,
    };
  }

  // Neither: choose the account first.
  const accounts = await read<SellerAccount[]>(fetch, '/api/accounts');
  return {
    kind: 'choose' as const,
    accounts: accounts.map((a) => ({ id: a.id, name: a.name, sellerId: a.sellerId })),
    loadedAt,
  };
};
