import { execFileSync, spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort, repoRoot, spawnServerScript, spawnStart, waitFor } from '../helpers/processes.ts';
import { createTestDatabase } from '../helpers/db.ts';

async function health(port: number) {
  const res = await fetch(`http://127.0.0.1:${port}/api/health`);
  return res.ok ? ((await res.json()) as { database: string }) : undefined;
}

describe('the server process', () => {
  it(
    'starts with `pnpm start` and no configuration on embedded Postgres, serves the page, stops on SIGTERM',
    { timeout: 120_000 },
    async () => {
      const cwd = await mkdtemp(path.join(tmpdir(), 'gs-start-'));
      const port = await freePort();
      const server = spawnStart({ PORT: String(port), LOG_LEVEL: 'info' }, cwd);
      try {
        // How fast it starts is the benchmark's to print (server-rss.ts); here it only has to come up.
        const body = await waitFor(() => health(port), 60_000, 'GET /api/health');
        expect(body.database).toBe('pglite');
        const secret = await stat(path.join(cwd, 'data', 'app-secret'));
        expect(secret.mode & 0o777).toBe(0o600);
        expect(server.output()).toContain('APP_SECRET is not set');
        const page = await fetch(`http://127.0.0.1:${port}/`);
        expect(page.status).toBe(200);
        expect(page.headers.get('content-type')).toMatch(/text\/html/);
        expect(await page.text()).toContain('Good Standing');
      } finally {
        server.child.kill('SIGTERM');
      }
      expect(await server.exited).toEqual({ code: 0, signal: null });
    },
  );

  it('stops cleanly when `pnpm start` itself gets SIGTERM: exit code 0, no ELIFECYCLE', async () => {
    // The pnpm a developer runs, started directly so that the signal reaches pnpm and not an npx in front of it.
    const { packageManager } = JSON.parse(await readFile(path.join(repoRoot, 'package.json'), 'utf8')) as {
      packageManager: string;
    };
    const pnpm = execFileSync('npx', ['-y', '-p', packageManager, '-c', 'command -v pnpm'], {
      encoding: 'utf8',
    }).trim();
    const dataDir = await mkdtemp(path.join(tmpdir(), 'gs-pnpm-start-'));
    const port = await freePort();
    const child = spawn(pnpm, ['start'], {
      cwd: repoRoot,
      env: { PATH: process.env.PATH ?? '', PORT: String(port), DATA_DIR: dataDir, LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group, so that whatever a failed stop leaves running can be cleaned up below.
      detached: true,
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    try {
      try {
        await waitFor(() => health(port), 60_000, 'GET /api/health through pnpm start');
      } finally {
        child.kill('SIGTERM');
      }
      expect(await exited, output).toEqual({ code: 0, signal: null });
      expect(output).not.toContain('ELIFECYCLE');
      // The server itself saw the signal and closed, rather than being left running behind pnpm.
      expect(output).toMatch(/"signal":"SIGTERM".*shutting down/);
      await expect(health(port)).rejects.toThrow();
    } finally {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // Nothing left in the group: the stop was clean.
      }
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('uses the real Postgres when DATABASE_URL is set', { timeout: 120_000 }, async () => {
    const t = await createTestDatabase('postgres', { migrate: false });
    const port = await freePort();
    const server = spawnServerScript(
      'server.ts',
      [],
      { PORT: String(port), DATABASE_URL: t.url!, DATA_DIR: t.dataDir, LOG_LEVEL: 'warn' },
      t.dataDir,
    );
    try {
      const body = await waitFor(() => health(port), 60_000, 'GET /api/health');
      expect(body.database).toBe('postgres');
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
      await t.destroy();
    }
  });

  it('refuses a bad value with one line, before creating anything', async () => {
    const cwd = await mkdtemp(path.join(tmpdir(), 'gs-badenv-'));
    const server = spawnServerScript('server.ts', [], { PORT: 'abc' }, cwd);
    const { code } = await server.exited;
    expect(code).toBe(1);
    expect(server.output().trim()).toBe('configuration error: PORT must be an integer between 1 and 65535');
    expect(await readdir(cwd)).toEqual([]);
  });
});
