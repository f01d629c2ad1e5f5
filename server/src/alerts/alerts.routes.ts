import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { findAccount } from '../accounts/accounts.repository.ts';
import { AccountParams } from '../accounts/accounts.schemas.ts';
import { AppError, ErrorBody } from '../http/errors.ts';
import {
  alertEvents,
  findAlert,
  insertEvent,
  listAlerts,
  listMutes,
  lockUnresolvedAlert,
  removeMute,
  setMute,
  updateAlert,
} from './alerts.repository.ts';
import { alertRowToAlert, muteRowToMute } from './alerts.mapping.ts';
import {
  AcknowledgeBody,
  AlertList,
  AlertParams,
  AlertsQuery,
  AlertWithEvents,
  Mute,
  MuteBody,
  MuteParams,
  ResolveBody,
  RuleInfo,
} from './alerts.schemas.ts';
import { RULES, type RuleName } from './rules.ts';

// The alerts inbox's API: list and read alerts with their history; acknowledge and resolve them (anyone signed
// in: working the alerts is the morning check); mute a rule for an account (admins: it silences it for everyone).

export const alertsRoutes: FastifyPluginAsyncZod = async (app) => {
  const db = app.database.db;

  async function accountNames(ids: string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const rows = await db
      .selectFrom('seller_accounts')
      .select(['id', 'name'])
      .where('id', 'in', ids)
      .execute();
    return new Map(rows.map((r) => [r.id, r.name]));
  }

  async function accountOrThrow(id: string): Promise<void> {
    if (!(await findAccount(db, id))) throw new AppError('NOT_FOUND', `account ${id} does not exist`);
  }

  async function unresolvedOrThrow(tx: Parameters<typeof lockUnresolvedAlert>[0], id: string) {
    const found = await lockUnresolvedAlert(tx, id);
    if (found.row) return found.row;
    if (found.problem === 'missing') throw new AppError('NOT_FOUND', `alert ${id} does not exist`);
    throw new AppError('CONFLICT', 'the alert is resolved already');
  }

  async function alertOrThrow(id: string) {
    const row = await findAlert(db, id);
    if (!row) throw new AppError('NOT_FOUND', `alert ${id} does not exist`);
    return row;
  }

  async function withEvents(id: string) {
    const row = await alertOrThrow(id);
    const [names, events] = await Promise.all([accountNames([row.account_id]), alertEvents(db, id)]);
    return {
      ...alertRowToAlert(row, names.get(row.account_id) ?? ''),
      events: events.map((e) => ({
        type: e.type,
        at: e.at.toISOString(),
        userId: e.user_id,
        details: e.details,
      })),
    };
  }

  app.get(
    '/alerts',
    {
      config: { access: 'signed-in' },
      schema: {
        tags: ['alerts'],
        summary: 'Alerts, unresolved first, the most severe first, the latest change first',
        querystring: AlertsQuery,
        response: { 200: AlertList, 400: ErrorBody },
      },
    },
    async (request) => {
      const q = request.query;
      const [{ rows, total }, counts] = await Promise.all([
        listAlerts(db, {
          state: q.state ?? ['open', 'acknowledged'],
          severity: q.severity,
          accountId: q.account,
          rule: q.rule,
          limit: q.pageSize,
          offset: (q.page - 1) * q.pageSize,
        }),
        db
          .selectFrom('alerts')
          .select(['severity', (eb) => eb.fn.countAll<string>().as('n')])
          .where('state', '<>', 'resolved')
          .groupBy('severity')
          .execute(),
      ]);
      const names = await accountNames([...new Set(rows.map((r) => r.account_id))]);
      const bySeverity = Object.fromEntries(counts.map((c) => [c.severity, Number(c.n)]));
      return {
        total,
        page: q.page,
        pageSize: q.pageSize,
        counts: {
          critical: bySeverity.critical ?? 0,
          warning: bySeverity.warning ?? 0,
          info: bySeverity.info ?? 0,
        },
        alerts: rows.map((r) => alertRowToAlert(r, names.get(r.account_id) ?? '')),
      };
    },
  );

  app.get(
    '/alerts/rules',
    {
      config: { access: 'signed-in' },
      schema: {
        tags: ['alerts'],
        summary: 'The rules alerts come from',
        response: { 200: z.array(RuleInfo) },
      },
    },
    async () => Object.entries(RULES).map(([rule, description]) => ({ rule: rule as RuleName, description })),
  );

  app.get(
    '/alerts/:id',
    {
      config: { access: 'signed-in' },
      schema: {
        tags: ['alerts'],
        summary: 'One alert with every change in its history',
        params: AlertParams,
        response: { 200: AlertWithEvents, 404: ErrorBody },
      },
    },
    async (request) => withEvents(request.params.id),
  );

  app.post(
    '/alerts/:id/acknowledge',
    {
      config: { access: 'signed-in' },
      schema: {
        tags: ['alerts'],
        summary: 'Say that someone is on it; the alert stays until its condition clears',
        params: AlertParams,
        body: AcknowledgeBody,
        response: { 200: AlertWithEvents, 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (request) => {
      const userId = request.auth!.user.id;
      await db.transaction().execute(async (tx) => {
        const row = await unresolvedOrThrow(tx, request.params.id);
        if (row.state === 'acknowledged') return;
        const now = new Date();
        await updateAlert(tx, row.id, { state: 'acknowledged', acknowledgedBy: userId, at: now });
        await insertEvent(tx, {
          alertId: row.id,
          type: 'acknowledged',
          at: now,
          userId,
          details: request.body.note ? { note: request.body.note } : {},
        });
      });
      return withEvents(request.params.id);
    },
  );

  app.post(
    '/alerts/:id/resolve',
    {
      config: { access: 'signed-in' },
      schema: {
        tags: ['alerts'],
        summary:
          'Resolve by hand, with a note; if its condition still holds, the next report opens a new alert',
        params: AlertParams,
        body: ResolveBody,
        response: { 200: AlertWithEvents, 400: ErrorBody, 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (request) => {
      const userId = request.auth!.user.id;
      await db.transaction().execute(async (tx) => {
        const row = await unresolvedOrThrow(tx, request.params.id);
        const now = new Date();
        await updateAlert(tx, row.id, { state: 'resolved', resolvedAt: now, at: now });
        await insertEvent(tx, {
          alertId: row.id,
          type: 'resolved',
          at: now,
          userId,
          details: { reason: 'by_hand', note: request.body.note },
        });
      });
      return withEvents(request.params.id);
    },
  );

  app.get(
    '/accounts/:id/mutes',
    {
      config: { access: 'signed-in' },
      schema: {
        tags: ['alerts'],
        summary: "The account's muted rules",
        params: AccountParams,
        response: { 200: z.array(Mute), 404: ErrorBody },
      },
    },
    async (request) => {
      await accountOrThrow(request.params.id);
      const now = Date.now();
      return (await listMutes(db, request.params.id))
        .filter((m) => !m.muted_until || m.muted_until.getTime() > now)
        .map(muteRowToMute);
    },
  );

  app.post(
    '/accounts/:id/mutes',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['alerts'],
        summary:
          'Mute a rule for the account, until a time or until unmuted: it opens no new alert meanwhile',
        params: AccountParams,
        body: MuteBody,
        response: { 200: z.array(Mute), 400: ErrorBody, 404: ErrorBody },
      },
    },
    async (request, reply) => {
      await accountOrThrow(request.params.id);
      const until = request.body.until ? new Date(request.body.until) : null;
      if (until && until.getTime() <= Date.now()) throw new AppError('BAD_REQUEST', '`until` is in the past');
      await setMute(db, {
        accountId: request.params.id,
        rule: request.body.rule,
        until,
        userId: request.auth!.user.id,
      });
      return reply.code(200).send((await listMutes(db, request.params.id)).map(muteRowToMute));
    },
  );

  app.delete(
    '/accounts/:id/mutes/:rule',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['alerts'],
        summary: 'Unmute a rule for the account',
        params: MuteParams,
        response: { 204: z.null(), 404: ErrorBody },
      },
    },
    async (request, reply) => {
      if (!(await removeMute(db, request.params.id, request.params.rule))) {
        throw new AppError('NOT_FOUND', `${request.params.rule} is not muted for this account`);
      }
      return reply.code(204).send(null);
    },
  );
};
