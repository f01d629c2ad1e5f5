import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { migrations } from '@good-standing/migrations';
import { samplePath } from '@good-standing/server/reports/fixtures/sample-files.ts';
import { freePort, spawnServerScript, waitFor } from '../helpers/processes.ts';

// The operator command line as a user runs it: real processes, their output and exit codes.

const sample = samplePath('healthy_multi_marketplace.json');

async function run(args: string[], env: Record<string, string> = {}, cwd?: string, input?: string) {
  const dir = cwd ?? (await mkdtemp(path.join(tmpdir(), 'gs-cli-')));
  const proc = spawnServerScript('cli.ts', args, { LOG_LEVEL: 'warn', ...env }, dir, input);
  const { code } = await proc.exited;
  return { code, output: proc.output(), dir };
}

describe('pnpm cli', () => {
  it('lists its commands', async () => {
    const { code, output } = await run(['--help']);
    expect(code).toBe(0);
    for (const command of [
      'migrate',
      'migrate:status',
      'poll',
      'documents:prune',
      'users',
      'users:set-password',
      'report:parse',
      'simulator',
      'case:open',
    ]) {
      expect(output).toContain(command);
    }
  });

  it('migrate applies the migrations once and migrate:status reports them', async () => {
    const first = await run(['migrate']);
    expect(first.code, first.output).toBe(0);
    expect(first.output).toMatch(/applied 2026_11_26_1300_schema_v1/);
    const again = await run(['migrate'], {}, first.dir);
    expect(again.output).toContain('is up to date');
    const status = await run(['migrate:status'], {}, first.dir);
    expect(status.output).toContain(`${Object.keys(migrations).length} applied, 0 pending (pglite)`);

    const prune = await run(['documents:prune', '--older-than-days', '30'], {}, first.dir);
    expect(prune.code, prune.output).toBe(0);
    expect(prune.output).toMatch(/^pruned 0 raw report bodies captured before \d{4}-/);
    const forever = await run(['documents:prune'], { RAW_DOCUMENT_RETENTION_DAYS: '0' }, first.dir);
    expect(forever.output).toContain('kept forever');
    const bad = await run(['documents:prune', '--older-than-days', 'soon'], {}, first.dir);
    expect(bad.code).toBe(1);
    expect(bad.output).toMatch(/^error: --older-than-days/);
  });

  it('users:set-password creates an admin from standard input, resets a password, and users lists them', async () => {
    const none = await run(['users']);
    expect(none.output).toContain('no users yet');
    const refused = await run(
      ['users:set-password', 'owner@example.com'],
      {},
      none.dir,
      'a long enough password\n',
    );
    expect(refused.code).toBe(1);
    expect(refused.output).toContain('add --admin');
    const short = await run(['users:set-password', '--admin', 'owner@example.com'], {}, none.dir, 'short\n');
    expect(short.code).toBe(1);
    expect(short.output).toMatch(/at least 12 characters/);
    const created = await run(
      ['users:set-password', '--admin', 'owner@example.com'],
      {},
      none.dir,
      'a long enough password\n',
    );
    expect(created.code, created.output).toBe(0);
    expect(created.output).toContain('created admin owner@example.com');
    const reset = await run(
      ['users:set-password', 'Owner@Example.com'],
      {},
      none.dir,
      'another long password\n',
    );
    expect(reset.output).toMatch(/set the password of owner@example.com; ended 0 sessions/);
    expect(reset.output).not.toContain('another long password');
    const listed = await run(['users'], {}, none.dir);
    expect(listed.output).toMatch(/owner@example\.com\s+admin\s+active/);
  });

  it('report:parse prints the normalized report, and refuses garbage with one line and exit code 1', async () => {
    const ok = await run(['report:parse', sample]);
    expect(ok.code).toBe(0);
    const parsed = JSON.parse(ok.output);
    expect(parsed.marketplaces.map((m: { marketplaceId: string }) => m.marketplaceId)).toEqual(
      expect.arrayContaining(['ATVPDKIKX0DER', 'A2EUQ1WTGCTBG2', 'A1AM78C64UM0Y8']),
    );
    const dir = await mkdtemp(path.join(tmpdir(), 'gs-cli-'));
    await writeFile(path.join(dir, 'broken.json'), '{"performanceMetrics": [');
    const bad = await run(['report:parse', path.join(dir, 'broken.json')], {}, dir);
    expect(bad.code).toBe(1);
    expect(bad.output.trim().split('\n')).toHaveLength(1);
    expect(bad.output).toMatch(/^error: .*JSON/);
  });

  it('simulator serves the LWA token endpoint on the given port until stopped', async () => {
    const port = await freePort();
    const dir = await mkdtemp(path.join(tmpdir(), 'gs-cli-'));
    const sim = spawnServerScript('cli.ts', ['simulator', '--port', String(port)], {}, dir);
    try {
      await waitFor(
        () =>
          sim.output().includes(`127.0.0.1:${port}`) ? Promise.resolve(true) : Promise.resolve(undefined),
        20_000,
        'the simulator to print its URL',
      );
      const token =
        /refresh token\s*[:=]?\s*(Atzr\|\S+)/i.exec(sim.output())?.[1] ??
        /(Atzr\|\S+)/.exec(sim.output())?.[1];
      const clientId = /(amzn1\.application-oa2-client\.\S+)/.exec(sim.output())?.[1];
      const clientSecret = /(amzn1\.oa2-cs\.\S+)/.exec(sim.output())?.[1];
      expect(token && clientId && clientSecret).toBeTruthy();
      const res = await fetch(`http://127.0.0.1:${port}/auth/o2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'refresh_token',
          refresh_token: token!,
          client_id: clientId!,
          client_secret: clientSecret!,
        }),
      });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { access_token: string }).access_token).toMatch(/^Atza\|/);
    } finally {
      sim.child.kill('SIGTERM');
      await sim.exited;
    }
  });

  it('poll --all polls the demo sellers and prints a summary table', async () => {
    const { code, output } = await run(['poll', '--all']);
    // The demo's revoked seller cannot be polled: that one failure makes the exit code 1.
    expect(code, output).toBe(1);
    expect(output).toMatch(/account\s+status\s+outcome\s+calls\s+429s\s+snapshots\s+time/);
    expect(output).toMatch(/Northwind Outdoor Co\.\s+succeeded\s+ingested/);
    expect(output).toMatch(/Maison Lumière SARL\s+failed\s+AUTH_REVOKED|Maison Lumière SARL\s+failed/);
    expect(output).toMatch(/6 of 7 polled successfully/);
  });
});
