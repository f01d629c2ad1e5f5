import { UUID } from '../case-links';

/** What /cases/new was asked to start a case from. */
export type NewCase =
  | { kind: 'alert'; alertId: string }
  | { kind: 'account'; accountId: string; marketplaceId: string | null }
  | { kind: 'choose' }
  | { kind: 'invalid'; problem: string };

/** The page's address: an alert wins over an account; an id that cannot be one is a page that does not exist. */
export function parseNewCase(params: URLSearchParams): NewCase {
  const alert = params.get('alert');
  if (alert !== null) {
    return UUID.test(alert)
      ? { kind: 'alert', alertId: alert.toLowerCase() }
      : { kind: 'invalid', problem: `There is no alert ${alert.slice(0, 60)}.` };
  }
  const account = params.get('account');
  if (account !== null) {
    if (!UUID.test(account))
      return { kind: 'invalid', problem: `There is no account ${account.slice(0, 60)}.` };
    const marketplace = params.get('marketplace')?.trim().slice(0, 40) || null;
    return { kind: 'account', accountId: account.toLowerCase(), marketplaceId: marketplace };
  }
  return { kind: 'choose' };
}

const SUSPENDED = new Set(['DEACTIVATED', 'SUSPENDED', 'BANNED']);

/**
 * The marketplace to offer first when the account has several: the suspended one, else the one at risk, else the
 * first (as the server picks one when none is named).
 */
export function suggestedMarketplace(
  marketplaces: ReadonlyArray<{ marketplaceId: string; accountStatus: string | null }>,
): string | null {
  const status = (m: { accountStatus: string | null }) => m.accountStatus?.toUpperCase() ?? null;
  return (
    marketplaces.find((m) => SUSPENDED.has(status(m) ?? ''))?.marketplaceId ??
    marketplaces.find((m) => status(m) !== null && status(m) !== 'NORMAL')?.marketplaceId ??
    marketplaces[0]?.marketplaceId ??
    null
  );
}
