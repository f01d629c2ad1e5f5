import Fastify, { type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { randomUUID } from 'node:crypto';
import type { AppConfig } from './config.ts';
import { createDatabase, type Database } from './db/database.ts';
import { migrateToLatest } from './db/migrate.ts';
import { registerErrorHandling } from './http/errors.ts';
import { registerWeb, webBuildDir } from './http/web.ts';
import { healthRoutes } from './health/health.routes.ts';
import { loggerOptions } from './logger.ts';
import { resolveAppSecret, SecretBox } from './crypto/secrets.ts';
import { verifySecretKey } from './crypto/secret-check.ts';
import { VERSION } from './version.ts';

export interface AppDeps {
  /** A database the caller owns (tests pass one isolated per file); otherwise created from the config. */
  database?: Database;
  /** Serve the built dashboard (default true). */
  web?: boolean;
}

declare module 'fastify' {
  interface FastifyInstance {
    config: AppConfig;
    database: Database;
    secrets: SecretBox;
  }
}

/** Builds the whole application without listening: infrastructure first, then one plugin per feature. */
export async function buildApp(config: AppConfig, deps: AppDeps = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: loggerOptions(config.logLevel),
    genReqId: () => randomUUID(),
    forceCloseConnections: 'idle',
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  const database = deps.database ?? (await createDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir }));
  if (!deps.database) app.addHook('onClose', () => database.close());
  try {
    const applied = await migrateToLatest(database.db);
    if (applied.length > 0) app.log.info({ applied }, 'database migrated');

    const resolved = await resolveAppSecret(config.appSecret, config.dataDir);
    if (resolved.origin === 'generated') {
      app.log.warn(
        { file: resolved.file },
        'APP_SECRET is not set: generated one and saved it with 0600 permissions; back it up, or set APP_SECRET',
      );
    }
    const secrets = new SecretBox(resolved.secret);
    await verifySecretKey(database.db, secrets);

    app.decorate('config', config);
    app.decorate('database', database);
    app.decorate('secrets', secrets);
  } catch (err) {
    await app.close();
    throw err;
  }

  await app.register(swagger, {
    openapi: {
      info: { title: 'Good Standing API', version: VERSION },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs' });

  registerErrorHandling(app);
  await app.register(healthRoutes, { database, demo: config.demo });

  if (deps.web !== false) await registerWeb(app, { buildDir: webBuildDir() });
  return app;
}
