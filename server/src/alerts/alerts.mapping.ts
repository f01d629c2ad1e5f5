import type { z } from 'zod';
import type { AlertRow, MuteRow } from './alerts.repository.ts';
import type { Alert, Mute } from './alerts.schemas.ts';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function alertRowToAlert(row: AlertRow, accountName: string): z.infer<typeof Alert> {
  return {
    id: row.id,
    accountId: row.account_id,
    accountName,
    marketplaceId: row.marketplace_id || null,
    rule: row.rule as z.infer<typeof Alert>['rule'],
    subject: row.subject || null,
    severity: row.severity,
    state: row.state,
    title: row.title,
    details: row.details,
    openedAt: row.opened_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    acknowledgedAt: iso(row.acknowledged_at),
    acknowledgedBy: row.acknowledged_by,
    resolvedAt: iso(row.resolved_at),
    conditionClearedAt: iso(row.condition_cleared_at),
  };
}

export function muteRowToMute(row: MuteRow): z.infer<typeof Mute> {
  return {
    rule: row.rule as z.infer<typeof Mute>['rule'],
    until: iso(row.muted_until),
    createdAt: row.created_at.toISOString(),
    createdBy: row.created_by,
  };
}
