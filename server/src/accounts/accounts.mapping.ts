import type { AhrBand } from '../reports/types.ts';
import type { z } from 'zod';
import type { AccountMarketplacesTable, SellerAccountRow } from '../db/schema.ts';
import type { Selectable } from 'kysely';
import type { Account } from './accounts.schemas.ts';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function accountRowToAccount(
  row: SellerAccountRow,
  marketplaces: Selectable<AccountMarketplacesTable>[],
): z.infer<typeof Account> {
  return {
    id: row.id,
    sellerId: row.seller_id,
    name: row.name,
    businessName: row.business_name,
    region: row.region,
    connectionState: row.connection_state,
    connectionError: row.connection_error,
    consecutiveFailures: row.consecutive_failures,
    pollEnabled: row.poll_enabled,
    nextPollAt: row.next_poll_at.toISOString(),
    lastPollAt: iso(row.last_poll_at),
    lastSuccessAt: iso(row.last_success_at),
    lastGoodPollAt: iso(row.last_good_poll_at),
    marketplaces: marketplaces.map((m) => ({
      marketplaceId: m.marketplace_id,
      countryCode: m.country_code,
      name: m.name,
      enabled: m.enabled,
      isParticipating: m.is_participating,
      accountStatus: m.account_status,
      statusSince: iso(m.status_since),
      ahrStatus: m.ahr_status,
      ahrScore: m.ahr_score,
      ahrBand: (m.ahr_band as AhrBand | null) ?? null,
      lastReportAt: iso(m.last_report_at),
    })),
  };
}
