import { error } from '@sveltejs/kit';
import type {
  AlertList,
  CaseSummary,
  OverviewAccount,
  PollRunInfo,
  Series,
  StatusChange,
  Violations,
  WarningState,
} from '$lib/api';
import { read } from '$lib/server/load';
import { DAY_MS, parseDays, resolutionFor } from './range';
import { section } from './sections';
import type { PageServerLoad } from './$types';

/** Worst first, as the overview sorts them. */
const STANDING_ORDER = ['suspended', 'at_risk', 'unknown', 'fine'];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** More open alerts than one account ever has; the inbox pages through any beyond. */
const ALERTS_SHOWN = 200;

export const load: PageServerLoad = async ({ fetch, params, url, depends }) => {
  depends('app:account');
  if (!UUID.test(params.id)) error(404, `There is no account ${params.id}.`);
  const base = `/api/accounts/${params.id}`;
  const account = await read<OverviewAccount>(fetch, `${base}/overview`);

  const days = parseDays(url.searchParams.get('days'));
  const asked = url.searchParams.get('marketplace');
  // Without one asked for, the marketplace in the worst standing: the one the user most needs to see.
  const worstFirst = [...account.marketplaces].sort(
    (a, b) => STANDING_ORDER.indexOf(a.standing) - STANDING_ORDER.indexOf(b.standing),
  );
  const marketplace = account.marketplaces.find((m) => m.marketplaceId === asked) ?? worstFirst[0] ?? null;
  // The range ends at the newest report (see range.ts); with none yet there is nothing to show anyway.
  const anchor = account.freshness.lastReportAt ?? marketplace?.lastReportAt ?? null;
  const to = anchor ? Date.parse(anchor) : Date.now();
  const from = new Date(to - days * DAY_MS).toISOString();

  const only = marketplace ? `&marketplace=${encodeURIComponent(marketplace.marketplaceId)}` : '';
  const since = encodeURIComponent(from);
  const [series, violations, warnings, statuses, runs, alerts, cases] = await Promise.all([
    marketplace
      ? section<Series>(fetch, `${base}/series?from=${since}&resolution=${resolutionFor(days)}${only}`)
      : null,
    marketplace ? section<Violations>(fetch, `${base}/violations?from=${since}${only}`) : null,
    marketplace
      ? section<WarningState[]>(fetch, `${base}/warning-states?clearedSince=${since}${only}`)
      : null,
    marketplace ? section<StatusChange[]>(fetch, `${base}/status-history?${only.slice(1)}`) : null,
    section<PollRunInfo[]>(fetch, `${base}/poll-runs`),
    section<AlertList>(
      fetch,
      `/api/alerts?state=open,acknowledged&account=${params.id}&pageSize=${ALERTS_SHOWN}`,
    ),
    section<CaseSummary[]>(fetch, `/api/cases?account=${params.id}`),
  ]);

  return {
    account,
    marketplaceId: marketplace?.marketplaceId ?? null,
    /** The marketplace asked for in the address, when the account has no such marketplace. */
    unknownMarketplace: asked !== null && marketplace?.marketplaceId !== asked ? asked : null,
    days,
    range: { from, to: new Date(to).toISOString(), anchored: anchor !== null },
    series,
    violations,
    warnings,
    statuses,
    runs,
    alerts,
    /** The account's open reinstatement cases, the nearest deadline first. */
    cases,
    loadedAt: Date.now(),
  };
};
