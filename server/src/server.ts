import { buildApp } from './app.ts';
import { readEnvironment, type AppConfig } from './config.ts';

// The process only: read the configuration, build the app, listen, and close gracefully on a signal.

function readConfig(): AppConfig {
  const read = readEnvironment();
  if ('config' in read) return read.config;
  for (const line of read.problems) process.stderr.write(`${line}\n`);
  process.exit(1);
}

async function main(): Promise<void> {
  const config = readConfig();
  let app;
  try {
    app = await buildApp(config);
  } catch (err) {
    process.stderr.write(`start-up failed: ${(err as Error).message}\n`);
    process.exit(1);
  }

  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down: no new requests, finishing work in flight');
    // A second signal or a hung close must not keep the process alive forever.
    const force = setTimeout(() => {
      app.log.error('graceful shutdown timed out; exiting');
      process.exit(1);
    }, 30_000);
    force.unref();
    app.close().then(
      () => process.exit(0),
      (err: unknown) => {
        app.log.error({ err }, 'error while shutting down');
        process.exit(1);
      },
    );
  };
  // `on`, not `once`: Ctrl-C reaches both `pnpm start` and this process, and the launcher passes it on too; a
  // repeated signal must not fall through to Node's default handler and kill a graceful close half-way.
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));

  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (err) {
    process.stderr.write(`start-up failed: ${(err as Error).message}\n`);
    await app.close().catch(() => {});
    process.exit(1);
  }
  app.log.info(
    { database: app.database.engine, mode: config.demo ? 'demo' : 'live', role: config.role },
    `Good Standing is listening on http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${config.port}`,
  );
}

void main();
