import type { Migration, MigrationProvider } from 'kysely';
import * as schemaV1 from './2026_11_26_1300_schema_v1.ts';
import * as pollRefreshAndAhrBand from './2026_11_26_1500_poll_refresh_and_ahr_band.ts';
import * as metricsReadSide from './2026_12_01_1200_metrics_read_side.ts';
import * as ahrBandFromScore from './2026_12_01_1500_ahr_band_from_score.ts';
import * as leaseFencing from './2026_12_01_1600_lease_fencing.ts';
import * as sellerBusinessName from './2026_12_01_1700_seller_business_name.ts';
import * as reportsAwaitedWithoutASlot from './2026_12_01_1800_reports_awaited_without_a_slot.ts';
import * as signIn from './2026_12_01_2000_sign_in.ts';
import * as oauthStates from './2026_12_01_2100_oauth_states.ts';
import * as dailySnapshots from './2026_12_03_2000_daily_snapshots.ts';
import * as notifications from './2026_12_03_2300_notifications.ts';
import * as authorizedAt from './2026_12_04_0300_authorized_at.ts';
import * as caseWorkspace from './2026_12_04_0400_case_workspace.ts';
import * as dataKioskBackfill from './2026_12_04_0500_data_kiosk_backfill.ts';
import * as backfillDemoTrigger from './2026_12_04_1000_backfill_demo_trigger.ts';
import * as backfillFinishedIndex from './2026_12_04_1400_backfill_finished_index.ts';

// Listed by hand rather than read from the folder, so the same set runs under tsx, Vitest and any bundler.
// Names sort in the order they must run; add each new migration here.
export const migrations: Record<string, Migration> = {
  '2026_11_26_1300_schema_v1': schemaV1,
  '2026_11_26_1500_poll_refresh_and_ahr_band': pollRefreshAndAhrBand,
  '2026_12_01_1200_metrics_read_side': metricsReadSide,
  '2026_12_01_1500_ahr_band_from_score': ahrBandFromScore,
  '2026_12_01_1600_lease_fencing': leaseFencing,
  '2026_12_01_1700_seller_business_name': sellerBusinessName,
  '2026_12_01_1800_reports_awaited_without_a_slot': reportsAwaitedWithoutASlot,
  '2026_12_01_2000_sign_in': signIn,
  '2026_12_01_2100_oauth_states': oauthStates,
  '2026_12_03_2000_daily_snapshots': dailySnapshots,
  '2026_12_03_2300_notifications': notifications,
  '2026_12_04_0300_authorized_at': authorizedAt,
  '2026_12_04_0400_case_workspace': caseWorkspace,
  '2026_12_04_0500_data_kiosk_backfill': dataKioskBackfill,
  '2026_12_04_1000_backfill_demo_trigger': backfillDemoTrigger,
  '2026_12_04_1400_backfill_finished_index': backfillFinishedIndex,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};
