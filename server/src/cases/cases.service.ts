import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';
import { AppError } from '../http/errors.ts';
import { MARKETPLACES } from '../spapi/marketplaces.ts';
import { buildCaseFacts, CaseFactsError } from './case-facts.ts';
import { causesOf } from './causes.ts';
import { initialChecklist, movingForwardChecklist } from './checklists.ts';
import { draftSections } from './draft.ts';
import { parseNotice } from './notice.ts';
import {
  findCase,
  insertCaseEvent,
  lockCase,
  openCaseFor,
  type CaseRow,
  type Db,
} from './cases.repository.ts';
import {
  CLOSING_STATUSES,
  PLACEHOLDER,
  SECTION_KEYS,
  STATUS_TRANSITIONS,
  type CaseAlertContext,
  type CaseFacts,
  type CaseOrigin,
  type CaseSections,
  type CaseStatus,
  type ChecklistItem,
  type NoticeExtract,
  type SectionKey,
} from './model.ts';

// Opening and working a reinstatement case. Every change is an event in the case's timeline, written in the same
// transaction as the change, under the case's row lock, so two people editing at once each see the other's work
// recorded rather than lost.

type Tx = Transaction<DB>;

/** Autosave writes every few seconds; one edit event per person and section within this span keeps history readable. */
const EDIT_COALESCE_MS = 10 * 60_000;
const SUSPENDED = new Set(['DEACTIVATED', 'SUSPENDED', 'BANNED']);

export interface OpenCaseInput {
  accountId?: string;
  marketplaceId?: string;
  alertId?: string;
  origin?: CaseOrigin;
  userId: string | null;
  now?: Date;
  /** The capture time of the report the case answers (the newest report when not given). */
  asOf?: Date;
}

export interface OpenedCase {
  caseId: string;
  created: boolean;
}

/**
 * Opens a case for an account and marketplace, pre-filled from the stored data; or, when one is open for them
 * already, returns it (linking the alert to it when it has none), since a marketplace has one case at a time.
 */
export async function openCase(db: Kysely<DB>, input: OpenCaseInput): Promise<OpenedCase> {
  return db.transaction().execute((tx) => openCaseInTx(tx, input));
}

export async function openCaseInTx(tx: Tx, input: OpenCaseInput): Promise<OpenedCase> {
  const now = input.now ?? new Date();
  let alert: CaseAlertContext | null = null;
  let accountId = input.accountId;
  let marketplaceId = input.marketplaceId;
  if (input.alertId) {
    const row = await tx.selectFrom('alerts').selectAll().where('id', '=', input.alertId).executeTakeFirst();
    if (!row) throw new AppError('NOT_FOUND', `alert ${input.alertId} does not exist`);
    if (accountId && accountId !== row.account_id) {
      throw new AppError('BAD_REQUEST', `alert ${row.id} is about another account`);
    }
    accountId = row.account_id;
    marketplaceId ??= row.marketplace_id;
    alert = {
      id: row.id,
      rule: row.rule,
      subject: row.subject,
      severity: row.severity,
      title: row.title,
      openedAt: row.opened_at.toISOString(),
      details: row.details,
    };
  }
  if (!accountId) throw new AppError('BAD_REQUEST', 'name the account (accountId) or the alert (alertId)');
  marketplaceId ??= await defaultMarketplace(tx, accountId);

  const existing = await openCaseFor(tx, accountId, marketplaceId);
  if (existing) {
    await linkAlert(tx, existing, alert, input.userId, now);
    return { caseId: existing.id, created: false };
  }

  let facts: CaseFacts;
  try {
    facts = await buildCaseFacts(tx, { accountId, marketplaceId, alert, asOf: input.asOf });
  } catch (err) {
    if (err instanceof CaseFactsError) throw new AppError('NOT_FOUND', err.message);
    throw err;
  }
  const origin: CaseOrigin =
    input.origin ??
    (alert ? 'alert' : facts.accountStatus && SUSPENDED.has(facts.accountStatus) ? 'suspension' : 'manual');
  // Two openings at once (the poller and a user): the one-open-case index lets one in, the other gets it.
  const inserted = await tx
    .insertInto('reinstatement_cases')
    .values({
      account_id: accountId,
      marketplace_id: marketplaceId,
      alert_id: alert?.id ?? null,
      origin,
      title: titleOf(facts, origin),
      facts: JSON.stringify(facts),
      sections: JSON.stringify(draftSections(facts)),
      checklist: JSON.stringify(initialChecklist()),
      opened_at: now,
      updated_at: now,
      status_dates: JSON.stringify({ draft: now.toISOString() }),
      created_by: input.userId,
    })
    .onConflict((oc) =>
      oc.columns(['account_id', 'marketplace_id']).where('closed_at', 'is', null).doNothing(),
    )
    .returning('id')
    .executeTakeFirst();
  if (!inserted) {
    const winner = await openCaseFor(tx, accountId, marketplaceId);
    if (!winner) throw new AppError('CONFLICT', 'the case was opened and closed meanwhile; try again');
    await linkAlert(tx, winner, alert, input.userId, now);
    return { caseId: winner.id, created: false };
  }
  await insertCaseEvent(tx, {
    caseId: inserted.id,
    type: 'opened',
    at: now,
    userId: input.userId,
    details: { origin, alertId: alert?.id ?? null, causes: facts.causes, capturedAt: facts.capturedAt },
  });
  return { caseId: inserted.id, created: true };
}

async function linkAlert(
  tx: Tx,
  c: CaseRow,
  alert: CaseAlertContext | null,
  userId: string | null,
  now: Date,
) {
  if (!alert || c.alert_id === alert.id) return;
  if (c.alert_id === null) {
    await tx.updateTable('reinstatement_cases').set({ alert_id: alert.id }).where('id', '=', c.id).execute();
  }
  await insertCaseEvent(tx, {
    caseId: c.id,
    type: 'alert_linked',
    at: now,
    userId,
    details: { alertId: alert.id, rule: alert.rule, title: alert.title, severity: alert.severity },
  });
}

/** The marketplace a case opened without one is about: the suspended one, else the one at risk, else the only one. */
async function defaultMarketplace(tx: Tx, accountId: string): Promise<string> {
  const rows = await tx
    .selectFrom('account_marketplaces')
    .select(['marketplace_id', 'account_status'])
    .where('account_id', '=', accountId)
    .where('enabled', '=', true)
    .orderBy('marketplace_id')
    .execute();
  const suspended = rows.find((r) => r.account_status && SUSPENDED.has(r.account_status));
  if (suspended) return suspended.marketplace_id;
  const atRisk = rows.find((r) => r.account_status && r.account_status !== 'NORMAL');
  if (atRisk) return atRisk.marketplace_id;
  if (rows.length === 1) return rows[0]!.marketplace_id;
  if (rows.length === 0) {
    const exists = await tx
      .selectFrom('seller_accounts')
      .select('id')
      .where('id', '=', accountId)
      .executeTakeFirst();
    if (!exists) throw new AppError('NOT_FOUND', `account ${accountId} does not exist`);
    return '';
  }
  throw new AppError(
    'BAD_REQUEST',
    `the account sells in ${rows.length} marketplaces and none is suspended or at risk: name one (marketplaceId: ${rows
      .map((r) => r.marketplace_id)
      .join(', ')})`,
  );
}

function titleOf(facts: CaseFacts, origin: CaseOrigin): string {
  const where = facts.marketplaceName ?? (facts.marketplaceId || 'all marketplaces');
  if (origin === 'suspension' || (facts.accountStatus && SUSPENDED.has(facts.accountStatus))) {
    return `${facts.accountName}: ${facts.accountStatus?.toLowerCase() ?? 'suspended'} on ${where}`;
  }
  if (facts.alert) return `${facts.accountName}: ${facts.alert.title} (${where})`;
  return `${facts.accountName}: reinstatement case for ${where}`;
}

async function lockedOrThrow(tx: Tx, id: string): Promise<CaseRow> {
  const row = await lockCase(tx, id);
  if (!row) throw new AppError('NOT_FOUND', `case ${id} does not exist`);
  return row;
}

function openOrThrow(row: CaseRow): void {
  if (row.closed_at)
    throw new AppError('CONFLICT', `the case is closed (${row.status}); its text can no longer change`);
}

/** Saves edited sections; each person's edits of a section within ten minutes are one event in the history. */
export async function saveSections(
  db: Kysely<DB>,
  id: string,
  userId: string | null,
  edits: Partial<CaseSections>,
  now = new Date(),
): Promise<void> {
  await db.transaction().execute(async (tx) => {
    const row = await lockedOrThrow(tx, id);
    openOrThrow(row);
    const sections = row.sections as CaseSections;
    const changed = SECTION_KEYS.filter((k) => edits[k] !== undefined && edits[k] !== sections[k]);
    if (changed.length === 0) return;
    for (const key of changed) {
      const recent = await tx
        .selectFrom('case_events')
        .select(['id', 'at', 'details'])
        .where('case_id', '=', id)
        .where('type', '=', 'section_edited')
        .where(sql<boolean>`details ->> 'section' = ${key}`)
        .where('user_id', userId === null ? 'is' : '=', userId)
        .where('at', '>', new Date(now.getTime() - EDIT_COALESCE_MS))
        .orderBy('at', 'desc')
        .limit(1)
        .executeTakeFirst();
      const after = edits[key]!;
      const details = {
        section: key,
        before: recent ? (recent.details.before as string) : sections[key],
        after,
        placeholdersLeft: (after.match(PLACEHOLDER) ?? []).length,
      };
      if (recent) {
        await tx
          .updateTable('case_events')
          .set({ at: now, details: JSON.stringify(details) })
          .where('id', '=', recent.id)
          .execute();
      } else {
        await insertCaseEvent(tx, { caseId: id, type: 'section_edited', at: now, userId, details });
      }
    }
    await tx
      .updateTable('reinstatement_cases')
      .set({ sections: JSON.stringify({ ...sections, ...pick(edits, changed) }), updated_at: now })
      .where('id', '=', id)
      .execute();
  });
}

function pick(edits: Partial<CaseSections>, keys: readonly SectionKey[]): Partial<CaseSections> {
  return Object.fromEntries(keys.map((k) => [k, edits[k]]));
}

export async function updateChecklistItem(
  db: Kysely<DB>,
  id: string,
  userId: string | null,
  itemId: string,
  change: { done?: boolean; note?: string },
  now = new Date(),
): Promise<ChecklistItem> {
  return db.transaction().execute(async (tx) => {
    const row = await lockedOrThrow(tx, id);
    const checklist = row.checklist as ChecklistItem[];
    const item = checklist.find((i) => i.id === itemId);
    if (!item) throw new AppError('NOT_FOUND', `the case has no checklist item ${itemId}`);
    const next: ChecklistItem = {
      ...item,
      ...(change.note !== undefined ? { note: change.note } : {}),
      ...(change.done !== undefined
        ? { done: change.done, doneAt: change.done ? (item.done ? item.doneAt : now.toISOString()) : null }
        : {}),
    };
    if (next.done === item.done && next.note === item.note) return item;
    await tx
      .updateTable('reinstatement_cases')
      .set({
        checklist: JSON.stringify(checklist.map((i) => (i.id === itemId ? next : i))),
        updated_at: now,
      })
      .where('id', '=', id)
      .execute();
    await insertCaseEvent(tx, {
      caseId: id,
      type: 'checklist_item',
      at: now,
      userId,
      details: {
        itemId,
        label: item.label,
        ...(next.done !== item.done ? { done: next.done } : {}),
        ...(next.note !== item.note ? { note: next.note } : {}),
      },
    });
    return next;
  });
}

/**
 * Keeps the notice the seller pasted, reads it, and fills the case from it: the deadline (unless the seller set
 * one), the ASINs into the placeholders that ask for them, and the causes the data did not show.
 */
export async function saveNotice(
  db: Kysely<DB>,
  id: string,
  userId: string | null,
  text: string,
  now = new Date(),
): Promise<NoticeExtract> {
  return db.transaction().execute(async (tx) => {
    const row = await lockedOrThrow(tx, id);
    const extract = parseNotice(text, now);
    const facts = row.facts as unknown as CaseFacts;
    const newCauses = causesOf(facts, extract.causes).filter((c) => !facts.causes.includes(c));
    const sections = { ...(row.sections as CaseSections) };
    if (!row.closed_at) {
      if (newCauses.length > 0) {
        // The drafts of the causes only the notice names, added after what the seller has written.
        const added = draftSections({ ...facts, causes: newCauses });
        for (const key of SECTION_KEYS) {
          if (key.startsWith('appeal_')) continue;
          sections[key] = `${sections[key].trimEnd()}\n\n${added[key]}`.trim();
        }
      }
      if (extract.asins.length > 0) {
        for (const key of SECTION_KEYS) {
          sections[key] = sections[key].replace(PLACEHOLDER, (whole, inside: string) =>
            /\bASINs?\b/i.test(inside) ? extract.asins.join(', ') : whole,
          );
        }
      }
    }
    const keepDeadline = row.deadline_source === 'user';
    const deadline = keepDeadline
      ? row.response_deadline_at
      : extract.deadline
        ? new Date(extract.deadline.at)
        : null;
    await tx
      .updateTable('reinstatement_cases')
      .set({
        notice_text: text,
        notice_extract: JSON.stringify(extract),
        facts: JSON.stringify({ ...facts, causes: [...facts.causes, ...newCauses] }),
        sections: JSON.stringify(sections),
        ...(keepDeadline
          ? {}
          : { response_deadline_at: deadline, deadline_source: deadline ? ('notice' as const) : null }),
        updated_at: now,
      })
      .where('id', '=', id)
      .execute();
    await insertCaseEvent(tx, {
      caseId: id,
      type: 'notice_saved',
      at: now,
      userId,
      details: {
        asins: extract.asins.length,
        orderIds: extract.orderIds.length,
        policies: extract.policies,
        causesAdded: newCauses,
        deadline: extract.deadline?.at ?? null,
        deadlineKept: keepDeadline,
      },
    });
    return extract;
  });
}

/** The seller confirms or corrects the deadline (null clears it); a notice pasted later no longer moves it. */
export async function setDeadline(
  db: Kysely<DB>,
  id: string,
  userId: string | null,
  at: Date | null,
  now = new Date(),
): Promise<void> {
  await db.transaction().execute(async (tx) => {
    const row = await lockedOrThrow(tx, id);
    await tx
      .updateTable('reinstatement_cases')
      .set({ response_deadline_at: at, deadline_source: at ? 'user' : null, updated_at: now })
      .where('id', '=', id)
      .execute();
    await insertCaseEvent(tx, {
      caseId: id,
      type: 'deadline_set',
      at: now,
      userId,
      details: { before: row.response_deadline_at?.toISOString() ?? null, after: at?.toISOString() ?? null },
    });
  });
}

export async function changeStatus(
  db: Kysely<DB>,
  id: string,
  userId: string | null,
  status: CaseStatus,
  note: string | null,
  now = new Date(),
): Promise<void> {
  await db.transaction().execute(async (tx) => {
    const row = await lockedOrThrow(tx, id);
    if (row.status === status) return;
    if (!STATUS_TRANSITIONS[row.status].includes(status)) {
      const next = STATUS_TRANSITIONS[row.status];
      throw new AppError(
        'CONFLICT',
        `a case that is ${row.status.replace(/_/g, ' ')} cannot become ${status.replace(/_/g, ' ')}` +
          (next.length ? ` (it can become ${next.join(' or ').replace(/_/g, ' ')})` : ': it is closed'),
      );
    }
    await applyStatus(tx, row, status, now);
    await insertCaseEvent(tx, {
      caseId: id,
      type: 'status_changed',
      at: now,
      userId,
      details: { from: row.status, to: status, ...(note ? { note } : {}) },
    });
  });
}

async function applyStatus(tx: Tx, row: CaseRow, status: CaseStatus, now: Date): Promise<void> {
  const closing = CLOSING_STATUSES.has(status);
  const checklist = row.checklist as ChecklistItem[];
  const facts = row.facts as unknown as CaseFacts;
  const movingOn =
    status === 'reinstated' && !checklist.some((i) => i.group === 'moving_forward')
      ? movingForwardChecklist(facts.causes)
      : [];
  await tx
    .updateTable('reinstatement_cases')
    .set({
      status,
      status_dates: JSON.stringify({ [status]: now.toISOString(), ...row.status_dates }),
      ...(closing ? { closed_at: now } : {}),
      ...(movingOn.length ? { checklist: JSON.stringify([...checklist, ...movingOn]) } : {}),
      updated_at: now,
    })
    .where('id', '=', row.id)
    .execute();
}

export async function addNote(
  db: Kysely<DB>,
  id: string,
  userId: string | null,
  text: string,
  now = new Date(),
): Promise<void> {
  await db.transaction().execute(async (tx) => {
    await lockedOrThrow(tx, id);
    await insertCaseEvent(tx, { caseId: id, type: 'note', at: now, userId, details: { text } });
    await tx.updateTable('reinstatement_cases').set({ updated_at: now }).where('id', '=', id).execute();
  });
}

/**
 * What the poller's data means for the account's cases, in the transaction that evaluated the report: a
 * marketplace that has just turned suspended opens its case (or marks the one a user had started); one back to
 * `NORMAL` confirms the reinstatement of its case. Returns the cases that changed, for their messages.
 */
export async function applyStatusToCases(
  tx: Tx,
  input: {
    accountId: string;
    capturedAt: Date;
    now: Date;
    suspended: Array<{ marketplaceId: string; alertId: string }>;
    restored: string[];
  },
): Promise<{ opened: string[]; confirmed: string[] }> {
  const opened: string[] = [];
  const confirmed: string[] = [];
  for (const s of input.suspended) {
    const result = await openCaseInTx(tx, {
      accountId: input.accountId,
      marketplaceId: s.marketplaceId,
      alertId: s.alertId,
      origin: 'suspension',
      userId: null,
      now: input.now,
      asOf: input.capturedAt,
    });
    if (result.created) opened.push(result.caseId);
    else {
      await insertCaseEvent(tx, {
        caseId: result.caseId,
        type: 'suspension_seen',
        at: input.now,
        userId: null,
        details: { capturedAt: input.capturedAt.toISOString(), alertId: s.alertId },
      });
    }
  }
  for (const marketplaceId of input.restored) {
    // The open case, or one the seller already marked reinstated, not yet confirmed by the data.
    const row = await tx
      .selectFrom('reinstatement_cases')
      .selectAll()
      .where('account_id', '=', input.accountId)
      .where('marketplace_id', '=', marketplaceId)
      .where('reinstatement_confirmed_at', 'is', null)
      .where((eb) => eb.or([eb('closed_at', 'is', null), eb('status', '=', 'reinstated')]))
      .orderBy('opened_at', 'desc')
      .forUpdate()
      .executeTakeFirst();
    if (!row) continue;
    if (row.status !== 'reinstated') await applyStatus(tx, row, 'reinstated', input.now);
    await tx
      .updateTable('reinstatement_cases')
      .set({ reinstatement_confirmed_at: input.capturedAt })
      .where('id', '=', row.id)
      .execute();
    await insertCaseEvent(tx, {
      caseId: row.id,
      type: 'reinstatement_confirmed',
      at: input.now,
      userId: null,
      details: { capturedAt: input.capturedAt.toISOString(), from: row.status },
    });
    confirmed.push(row.id);
  }
  return { opened, confirmed };
}

export async function caseOrThrow(db: Db, id: string): Promise<CaseRow> {
  const row = await findCase(db, id);
  if (!row) throw new AppError('NOT_FOUND', `case ${id} does not exist`);
  return row;
}

export function marketplaceLabel(marketplaceId: string): string | null {
  return MARKETPLACES[marketplaceId]?.name ?? null;
}
