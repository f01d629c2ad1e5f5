import Fastify, { type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { randomUUID } from 'node:crypto';
import type { AppConfig } from './config.ts';
import { createDatabase, type Database } from './db/database.ts';
import { frameworkErrorOptions, registerErrorHandling } from './http/errors.ts';
import { registerWeb, webBuildDir } from './http/web.ts';
import { registerApiGuards, registerHostGuard } from './http/api-guards.ts';
import { healthRoutes } from './health/health.routes.ts';
import { loggerOptions } from './logger.ts';
import { VERSION } from './version.ts';
import type { SpApiClients, SpApiSettings } from './spapi/spapi-clients.ts';
import type { SecretBox } from './crypto/secrets.ts';
import type { Demo } from './demo/demo-mode.ts';
import { createRuntime } from './runtime.ts';
import type { Poller, PollerOptions } from './poller/poller.ts';
import type { BackfillOptions, BackfillRunner } from './backfill/backfill-runner.ts';
import { backfillRoutes } from './backfill/backfill.routes.ts';
import { accountsRoutes } from './accounts/accounts.routes.ts';
import { oauthRoutes } from './oauth/oauth.routes.ts';
import { pollerRoutes } from './poller/poller.routes.ts';
import { metricsRoutes } from './metrics/metrics.routes.ts';
import { historyExportRoutes } from './metrics/history-export.routes.ts';
import { monitoringRoutes } from './monitoring/monitoring.routes.ts';
import { nextCycle } from './poller/schedule.ts';
import { alertsRoutes } from './alerts/alerts.routes.ts';
import { notificationsRoutes } from './notifications/notifications.routes.ts';
import { outboxRoutes } from './notifications/outbox.routes.ts';
import { casesRoutes } from './cases/cases.routes.ts';
import { caseEvidenceRoutes } from './cases/evidence.routes.ts';
import type { AlertEngine } from './alerts/alert-engine.ts';
import type { Notifications } from './notifications/notifications.ts';
import type { OutboxWorkerOptions } from './notifications/outbox-worker.ts';
import helmet from '@fastify/helmet';
import { registerAuthGuard } from './auth/auth.guard.ts';
import { authRoutes } from './auth/auth.routes.ts';
import { usersRoutes } from './auth/users.routes.ts';
import { ensureFirstAdmin } from './auth/auth.service.ts';
import { createSignInCleanupJob } from './auth/cleanup-job.ts';
import './auth/auth.types.ts';

export interface AppDeps {
  /** A database the caller owns (tests pass one isolated per file); otherwise created from the config. */
  database?: Database;
  /** Serve the built dashboard (default true). */
  web?: boolean;
  /** Run the poll schedule (default: unless ROLE=web). Tests that drive polls by hand turn it off. */
  schedule?: boolean;
  /** SP-API app credentials and endpoint; default from the config, or the demo simulator in demo mode. */
  spapi?: SpApiSettings;
  /** Poller tuning (tests shorten the intervals). */
  poller?: Partial<PollerOptions>;
  /** Rate-limit scale matching a simulator whose usage plans are scaled (tests, benchmark). */
  rateScale?: number;
  /** How long checking a seller's token with Amazon may take when connecting (default 30 s; tests shorten it). */
  tokenCheckDeadlineMs?: number;
  /** Outbox pacing (tests shorten the retry delays). */
  outbox?: Partial<OutboxWorkerOptions>;
  /** Data Kiosk history jobs (tests shorten the waits). */
  backfill?: Partial<BackfillOptions>;
}

declare module 'fastify' {
  interface FastifyInstance {
    config: AppConfig;
    database: Database;
    secrets: SecretBox;
    poller: Poller;
    alerts: AlertEngine;
    notifications: Notifications;
    backfill: BackfillRunner;
    spapiClients: SpApiClients;
    demo: Demo | undefined;
  }
}

/** Builds the whole application without listening: infrastructure first, then one plugin per feature. */
export async function buildApp(config: AppConfig, deps: AppDeps = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: loggerOptions(config.logLevel),
    genReqId: () => randomUUID(),
    forceCloseConnections: 'idle',
    ...frameworkErrorOptions,
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  const database =
    deps.database ??
    (await createDatabase({
      databaseUrl: config.databaseUrl,
      dataDir: config.dataDir,
      onConnectionLost: (err) =>
        app.log.warn({ err }, 'a database connection was lost; reconnecting on demand'),
    }));
  // onClose hooks run last-registered first: registered before the poller's, the database closes after it.
  if (!deps.database) app.addHook('onClose', () => database.close());
  try {
    const runtime = await createRuntime(config, database, app.log, deps);
    app.decorate('config', config);
    app.decorate('database', database);
    app.decorate('secrets', runtime.secrets);
    app.decorate('demo', runtime.demo);
    app.decorate('poller', runtime.poller);
    app.decorate('alerts', runtime.alerts);
    app.decorate('notifications', runtime.notifications);
    app.decorate('backfill', runtime.backfill);
    app.decorate('spapiClients', runtime.clients);
    app.addHook('onClose', () => runtime.close());
    // Polling starts once the port is bound: a process that cannot listen must not claim accounts first.
    if (deps.schedule ?? config.role !== 'web') {
      app.addHook('onListen', async () => {
        runtime.poller.start();
        runtime.pruner.start();
        runtime.alerts.start();
        runtime.notifications.start();
        runtime.backfill.start();
      });
    }
  } catch (err) {
    await app.close();
    throw err;
  }

  try {
    registerErrorHandling(app);
    // On the whole server, not only /api: a rebound page could read the dashboard's pages as well, and their
    // server-side loads call the API at whatever host the request named.
    registerHostGuard(app, { publicUrl: config.publicUrl });
    const secureCookies = config.publicUrl?.startsWith('https:') ?? false;
    const limits = { idleMs: config.auth.sessionIdleMs, maxMs: config.auth.sessionMaxMs };
    // A poller instance answers health checks only; users and the API go to `all` or `web` instances.
    if (config.role === 'poller') {
      await app.register(async (api) => api.register(healthRoutes, { database, demo: config.demo }), {
        prefix: '/api',
      });
      return app;
    }
    // Pages set a stricter policy of their own (hashes of SvelteKit's inline scripts, web/svelte.config.js); this
    // one covers the API, its reference page and anything else the server answers.
    await app.register(helmet, {
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'", "'unsafe-inline'"],
          imgSrc: ["'self'", 'data:'],
          connectSrc: ["'self'"],
          frameAncestors: ["'none'"],
          formAction: ["'self'"],
          baseUri: ["'self'"],
          objectSrc: ["'none'"],
          upgradeInsecureRequests: secureCookies ? [] : null,
        },
      },
      hsts: secureCookies,
    });
    await ensureFirstAdmin(database.db, config.auth.firstAdmin, app.log);
    const cleanup = createSignInCleanupJob(database.db, app.log.child({ component: 'sign-in-cleanup' }));
    app.addHook('onListen', async () => cleanup.start());
    app.addHook('onClose', () => cleanup.stop());
    await registerAuthGuard(app, {
      db: database.db,
      limits,
      secureCookies,
      demo: config.demo,
    });
    await app.register(swagger, {
      openapi: {
        info: { title: 'Good Standing API', version: VERSION },
      },
      transform: jsonSchemaTransform,
    });
    await app.register(swaggerUi, { routePrefix: '/api/docs' });
    // Every API route lives in this one scope; the sign-in guard above checks each one's declared access.
    await app.register(
      async (api) => {
        registerApiGuards(api);
        await api.register(healthRoutes, { database, demo: config.demo });
        await api.register(authRoutes, { limits, secureCookies, demo: config.demo });
        await api.register(usersRoutes, { publicUrl: config.publicUrl });
        await api.register(accountsRoutes, {
          clients: app.spapiClients,
          onConnected: () => {
            void app.poller.dispatch();
            app.backfill.kick();
          },
          checkDeadlineMs: deps.tokenCheckDeadlineMs,
        });
        await api.register(oauthRoutes, {
          clients: app.spapiClients,
          poller: app.poller,
          publicUrl: config.publicUrl,
          demo: config.demo,
          checkDeadlineMs: deps.tokenCheckDeadlineMs,
        });
        await api.register(pollerRoutes, { poller: app.poller });
        await api.register(metricsRoutes, { staleAfterMs: staleAfterMs(config.poll.cron) });
        await api.register(historyExportRoutes);
        await api.register(alertsRoutes);
        await api.register(notificationsRoutes);
        await api.register(outboxRoutes);
        await api.register(casesRoutes);
        await api.register(caseEvidenceRoutes, { maxBytes: config.cases.uploadMaxBytes });
        await api.register(backfillRoutes, { runner: app.backfill });
      },
      { prefix: '/api' },
    );
    // Prometheus scrapes /metrics at the root, with an API token it checks itself (docs/prometheus.md).
    await app.register(monitoringRoutes);
    if (deps.web !== false) await registerWeb(app, { buildDir: webBuildDir() });
    return app;
  } catch (err) {
    await app.close();
    throw err;
  }
}

/** Data is stale after two polling cycles without a successful poll: one missed cycle can be a retry in flight. */
function staleAfterMs(pollCron: string): number {
  return 2 * nextCycle(pollCron).lengthMs;
}
