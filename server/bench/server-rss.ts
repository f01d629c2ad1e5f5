// The resident memory of the real server right after start-up, as `pnpm start` runs it: its own process, its
// own database, asked for /api/health until it answers.

import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';

const SERVER_DIR = path.join(import.meta.dirname, '..');
const SERVER_ENTRY = path.join(SERVER_DIR, 'src', 'server.ts');
// Resolved from the server package, as scripts/start.mjs does: the child runs in a temp directory.
const TSX_LOADER = pathToFileURL(
  path.join(
    path.dirname(createRequire(path.join(SERVER_DIR, 'package.json')).resolve('tsx/package.json')),
    'dist',
    'loader.mjs',
  ),
).href;
const READY_TIMEOUT_MS = 60_000;

export interface ServerMemory {
  /** Resident set once /api/health answered, in bytes. */
  rss: number;
  /** Peak resident set up to then, in bytes. */
  hwm: number;
  /** From spawn to the first healthy answer. */
  readyMs: number;
}

/** A port nobody listens on right now: the server refuses PORT=0, so one is found for it. */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => resolve());
  });
  const address = probe.address();
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  if (!address || typeof address === 'string') throw new Error('no free port');
  return address.port;
}

async function statusKb(pid: number, field: 'VmRSS' | 'VmHWM'): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  if (!match) throw new Error(`${field} missing from /proc/${pid}/status`);
  return Number(match[1]) * 1024;
}

/**
 * Starts `node --import tsx server/src/server.ts` with `env` on top of a minimal environment (a temp DATA_DIR
 * and working directory, so neither ./data nor a .env of the checkout is read), waits for /api/health and
 * reads the process's VmRSS and VmHWM. Linux only (/proc).
 */
export async function measureServerMemory(env: Record<string, string>): Promise<ServerMemory> {
  const dir = await mkdtemp(path.join(tmpdir(), 'gs-bench-server-'));
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', TSX_LOADER, SERVER_ENTRY], {
    cwd: dir,
    env: {
      PATH: process.env.PATH ?? '',
      HOST: '127.0.0.1',
      PORT: String(port),
      DATA_DIR: path.join(dir, 'data'),
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-4_000);
  });
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code, signal) =>
      reject(new Error(`server exited (${code ?? signal}) before it was healthy: ${stderr.trim()}`)),
    ),
  );
  exited.catch(() => {});
  try {
    const ready = (async () => {
      for (;;) {
        if (performance.now() - started > READY_TIMEOUT_MS) throw new Error('server not healthy in 60 s');
        try {
          const res = await fetch(`http://127.0.0.1:${port}/api/health`);
          await res.arrayBuffer();
          if (res.ok) return;
        } catch {
          // not listening yet
        }
        await delay(50);
      }
    })();
    await Promise.race([ready, exited]);
    const readyMs = performance.now() - started;
    const pid = child.pid!;
    return { rss: await statusKb(pid, 'VmRSS'), hwm: await statusKb(pid, 'VmHWM'), readyMs };
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      await gone;
    }
    await rm(dir, { recursive: true, force: true });
  }
}
