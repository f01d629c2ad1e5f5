import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ACCOUNTS } from '@good-standing/server/simulator/index.ts';
import { generateSellerPerformanceReport } from '@good-standing/server/simulator/performance-report.ts';
import { spawnServerScript } from '../helpers/processes.ts';

// `pnpm cli alerts:backtest` as a user runs it, on documents saved from the simulator's drifting-ODR seller: one
// report a day for a month, named by their capture time, some gzipped as Amazon serves them.

const DAY_MS = 86_400_000;
const START = Date.UTC(2026, 2, 2, 6);
const DAYS = 30;
let dir: string;
let files: string[];
/** The run with the default settings, shared by the tests that read it. */
let plain: Awaited<ReturnType<typeof run>>;

async function run(args: string[]) {
  const proc = spawnServerScript('cli.ts', args, { LOG_LEVEL: 'warn' }, dir);
  const { code } = await proc.exited;
  const output = proc.output();
  const events = output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { code, output, events };
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'gs-backtest-'));
  const seller = DEMO_ACCOUNTS.find((a) => a.scenario === 'odr-drift')!;
  files = [];
  for (let day = 0; day < DAYS; day++) {
    const at = new Date(START + day * DAY_MS);
    const document = JSON.stringify(
      generateSellerPerformanceReport('odr-drift', seller.sellerId, seller.marketplaceIds, day, at),
    );
    // Both name shapes, and both encodings; written out of order, replayed in time order.
    const stamp =
      day % 3 === 0 ? at.toISOString().slice(0, 10) : at.toISOString().slice(0, 19).replace(/:/g, '-') + 'Z';
    const file = path.join(dir, day % 2 ? `${stamp}-report.json.gz` : `${stamp}_seller-performance.json`);
    await writeFile(file, day % 2 ? gzipSync(document) : document);
    files.unshift(file);
  }
  plain = await run(['alerts:backtest', ...files]);
}, 120_000);

describe('pnpm cli alerts:backtest', () => {
  it('prints every alert event as a JSON line: an early warning, then the breach a week or more later', async () => {
    const { code, output, events } = plain;
    expect(code, output).toBe(0);
    for (const e of events) {
      expect(e).toMatchObject({
        at: expect.any(String),
        event: expect.stringMatching(/^(opened|updated|escalated|resolved)$/),
        alertId: expect.any(String),
        rule: expect.any(String),
        severity: expect.stringMatching(/^(info|warning|critical)$/),
        marketplaceId: 'ATVPDKIKX0DER',
      });
    }
    const times = events.map((e) => Date.parse(e.at as string));
    expect(times).toEqual([...times].sort((a, b) => a - b));

    const odr = events.filter((e) => e.subject === 'order_defect_rate:mfn:60' && e.event === 'opened');
    const warning = odr.find((e) => e.rule === 'metric_trend' || e.rule === 'metric_margin')!;
    const breach = odr.find((e) => e.rule === 'metric_breach')!;
    expect(warning, output).toBeDefined();
    expect(breach, output).toBeDefined();
    expect(Date.parse(breach.at as string) - Date.parse(warning.at as string)).toBeGreaterThanOrEqual(
      7 * DAY_MS,
    );
    expect(breach).toMatchObject({
      severity: 'critical',
      metric: 'order_defect_rate',
      target: { value: 0.01, condition: 'LESS_THAN' },
      value: expect.any(Number),
    });
    expect(breach.value as number).toBeGreaterThanOrEqual(0.01);
    const trend = odr.find((e) => e.rule === 'metric_trend');
    if (trend) expect(trend.projectedBreachAt).toEqual(expect.any(String));
    const margin = events.find((e) => e.rule === 'metric_margin' && e.event === 'opened');
    if (margin) expect(margin.headroom).toEqual(expect.any(Number));
    expect(output).toMatch(new RegExp(`${DAYS} reports from .+: \\d+ opened, \\d+ updated`));
  }, 120_000);

  it("takes the user's own thresholds: a lower margin warns earlier", async () => {
    const settings = path.join(dir, 'settings.json');
    // As copied from the settings page's thresholds, with the renewal warning the backtest has no use for.
    await writeFile(
      settings,
      JSON.stringify({ renewalWarningDays: 45, metrics: { order_defect_rate: { marginShare: 0.5 } } }),
    );
    const strict = await run(['alerts:backtest', '--settings', settings, ...files]);
    expect(strict.code, strict.output).toBe(0);
    const firstMargin = (r: typeof strict) =>
      Date.parse(
        r.events.find((e) => e.rule === 'metric_margin' && e.subject === 'order_defect_rate:mfn:60')!
          .at as string,
      );
    expect(firstMargin(strict)).toBeLessThan(firstMargin(plain));
  }, 120_000);

  it('refuses bad input with one clear line and exit code 1', async () => {
    const notAReport = path.join(dir, '2026-03-05-notes.json');
    await writeFile(notAReport, '{"hello": "world"}');
    const unnamed = path.join(dir, 'report.json');
    await writeFile(unnamed, '{}');
    const badSettings = path.join(dir, 'bad-settings.json');
    await writeFile(badSettings, JSON.stringify({ marginShare: 3 }));
    for (const [args, said] of [
      [[notAReport], /^error: .*2026-03-05-notes\.json: /m],
      [[unnamed], /^error: .*report\.json: the file name must begin with its capture time/m],
      [['--settings', badSettings, files[0]!], /^error: .*bad-settings\.json: marginShare: /m],
    ] as const) {
      const { code, output, events } = await run(['alerts:backtest', ...args]);
      expect(code, output).toBe(1);
      expect(output).toMatch(said);
      expect(output.trim().split('\n')).toHaveLength(1);
      expect(events).toEqual([]);
    }
  }, 120_000);
});
