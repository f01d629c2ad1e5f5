import type { RunningSimulator } from '@good-standing/server/simulator/index.ts';
import { createTestDatabase, type TestDatabase } from './db.ts';
import { demoApp, startTestSimulator } from './poller.ts';
import { freePort, spawnServerScript, waitFor, type Spawned } from './processes.ts';

/** The server as users run it: its own process, on a fresh schema of the real Postgres. */
export interface ServerProcess {
  url: string;
  database: TestDatabase;
  /** Live mode only: the simulator the server takes for Amazon, in this process so tests can steer it. */
  simulator: RunningSimulator | undefined;
  output(): string;
  stop(): Promise<void>;
}

/**
 * `live`: SP-API credentials set, Amazon played by a simulator with no sellers, so nobody is signed in by itself
 * and the first visit finds no user. `demo`: no credentials, the server starts its own simulator and demo sellers,
 * and signs the demo admin in.
 */
export async function startServerProcess(
  mode: 'live' | 'demo',
  env: Record<string, string> = {},
  /** Live mode: the sellers the simulator knows from the start (none, or the demo's scenario sellers). */
  simulatorAccounts: 'none' | 'demo' = 'none',
): Promise<ServerProcess> {
  const database = await createTestDatabase('postgres');
  const simulator = mode === 'live' ? await startTestSimulator({ accounts: simulatorAccounts }) : undefined;
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const spawned: Spawned = spawnServerScript(
    'server.ts',
    [],
    {
      PORT: String(port),
      DATABASE_URL: database.url!,
      DATA_DIR: database.dataDir,
      APP_SECRET: 'e2e-test-secret-'.padEnd(48, 'e'),
      LOG_LEVEL: 'warn',
      ...(simulator
        ? {
            SPAPI_CLIENT_ID: demoApp.clientId,
            SPAPI_CLIENT_SECRET: demoApp.clientSecret,
            SPAPI_ENDPOINT: simulator.url,
          }
        : {}),
      ...env,
    },
    database.dataDir,
  );
  const stop = async () => {
    if (spawned.child.exitCode === null && spawned.child.signalCode === null) spawned.child.kill('SIGTERM');
    const killer = setTimeout(() => spawned.child.kill('SIGKILL'), 10_000);
    await spawned.exited;
    clearTimeout(killer);
    await simulator?.close();
    await database.destroy();
  };
  try {
    await waitFor(
      async () => ((await fetch(`${url}/api/health`)).ok ? true : undefined),
      60_000,
      'the server to answer /api/health',
    );
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}; the server said:\n${spawned.output()}`);
  }
  return { url, database, simulator, output: spawned.output, stop };
}
