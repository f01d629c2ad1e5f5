import { z } from 'zod';
import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';
import { readSetting } from '../settings/settings.repository.ts';
import { SEVERITY_ORDER, type Severity } from '../alerts/rules.ts';

// Who receives what, and how delivery paces itself. Global settings live under the `notifications` key; an account
// adds its own recipients (`seller_accounts.settings.notifications`) to the global ones: an agency sends every
// account's critical alerts to its on-call address and each client's to the client.

export const SeverityName = z.enum(['info', 'warning', 'critical']);

export const Recipient = z.object({
  email: z.email({ message: 'not an email address' }).max(254),
  severities: z.array(SeverityName).min(1, 'choose at least one severity').max(3),
});
export type Recipient = z.infer<typeof Recipient>;

export const DeliverySettings = z.object({
  recipients: z.array(Recipient).max(50).default([]),
  /** Warnings and info arriving within this long go to each recipient as one message. */
  groupWindowSeconds: z.number().int().min(0).max(3_600).default(120),
  /** An unacknowledged critical alert is sent again this often; 0 turns reminders off. */
  reminderHours: z.number().int().min(0).max(168).default(24),
});
export type DeliverySettings = z.infer<typeof DeliverySettings>;

export const DEFAULT_DELIVERY: DeliverySettings = DeliverySettings.parse({});

export const AccountRecipients = z.object({ recipients: z.array(Recipient).max(50).default([]) });

type Db = Kysely<DB> | Transaction<DB>;

/** The stored global settings over the defaults; a value that no longer parses falls back to its default. */
export async function readDeliverySettings(db: Db): Promise<DeliverySettings> {
  const stored = await readSetting(db, 'notifications');
  const parsed = DeliverySettings.safeParse(stored ?? {});
  return parsed.success ? parsed.data : DEFAULT_DELIVERY;
}

export function accountRecipients(settings: Record<string, unknown> | null | undefined): Recipient[] {
  const parsed = AccountRecipients.safeParse(settings?.notifications ?? {});
  return parsed.success ? parsed.data.recipients : [];
}

export interface EffectiveRecipient extends Recipient {
  source: 'settings' | 'admins' | 'account';
}

/**
 * Everyone who receives every account's alerts. With no global recipient set, the admins receive critical alerts
 * and warnings: a fresh install must not stay silent about a suspension because nobody opened the settings.
 */
export async function effectiveRecipients(db: Db, global: DeliverySettings): Promise<EffectiveRecipient[]> {
  if (global.recipients.length > 0)
    return global.recipients.map((r) => ({ ...r, source: 'settings' as const }));
  const admins = await db
    .selectFrom('users')
    .select('email')
    .where('role', '=', 'admin')
    .where('disabled_at', 'is', null)
    .orderBy('email')
    .execute();
  return admins.map((a) => ({
    email: a.email,
    severities: ['critical', 'warning'] as Severity[],
    source: 'admins' as const,
  }));
}

/** The global recipients, then the account's own. */
export function withAccountRecipients(
  global: readonly EffectiveRecipient[],
  account: Record<string, unknown> | null | undefined,
): EffectiveRecipient[] {
  return [...global, ...accountRecipients(account).map((r) => ({ ...r, source: 'account' as const }))];
}

/** The addresses that receive an alert of `severity`, each once, lower-cased. */
export function addressesFor(recipients: readonly Recipient[], severity: Severity): string[] {
  const out = new Set<string>();
  for (const r of recipients) if (r.severities.includes(severity)) out.add(r.email.toLowerCase());
  return [...out];
}

export function atLeast(severity: Severity, floor: Severity): boolean {
  return SEVERITY_ORDER.indexOf(severity) >= SEVERITY_ORDER.indexOf(floor);
}
