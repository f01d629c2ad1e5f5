import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Command } from 'commander';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { samplePath } from './fixtures/sample-files.ts';
import { registerReportCommands, runReportParse, type ReportCliIo } from './reports.cli.ts';
import type { ParsedReport } from './types.ts';

const dir = mkdtempSync(join(tmpdir(), 'report-parse-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const atRisk = readFileSync(samplePath('at_risk_odr_ip_complaints.json'));

function capture(stdin: Buffer = Buffer.alloc(0)): ReportCliIo & { out: string; err: string } {
  const io = {
    out: '',
    err: '',
    stdout: (text: string) => {
      io.out += text;
    },
    stderr: (text: string) => {
      io.err += text;
    },
    readStdin: () => Promise.resolve(stdin),
  };
  return io;
}

function write(name: string, content: Buffer | string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

describe('runReportParse', () => {
  it.each([
    ['a .json file', () => write('report.json', atRisk)],
    ['a .json.gz file', () => write('report.json.gz', gzipSync(atRisk))],
    ['gzip bytes in a .json file', () => write('mislabelled.json', gzipSync(atRisk))],
  ])('prints the parsed report for %s and exits 0', async (_label, makeFile) => {
    const io = capture();
    expect(await runReportParse(makeFile(), io)).toBe(0);
    expect(io.err).toBe('');
    const report = JSON.parse(io.out) as ParsedReport;
    expect(report.marketplaces.map((m) => [m.marketplaceId, m.accountStatus, m.ahrScore])).toEqual([
      ['A1F83G8C2ARO7P', 'AT_RISK', 150],
    ]);
    expect(io.out).toContain('\n  "marketplaces"');
  });

  it('reads stdin for -', async () => {
    const io = capture(gzipSync(atRisk));
    expect(await runReportParse('-', io)).toBe(0);
    expect((JSON.parse(io.out) as ParsedReport).marketplaces[0]?.ahrStatus).toBe('WARNED');
  });

  it.each([
    [
      'garbage bytes',
      () => write('garbage.json', 'this is not { json'),
      /^error: report document is not valid JSON: /,
    ],
    [
      'truncated gzip',
      () => write('cut.json.gz', gzipSync(atRisk).subarray(0, 200)),
      /^error: gzip data is truncated$/,
    ],
    ['another report type', () => write('other.json', '{"items":[]}'), /^error: report document has neither/],
    [
      'a report naming no marketplace',
      () => write('empty.json', '{"performanceMetrics":[]}'),
      /^error: report document names no marketplace$/,
    ],
    ['a missing file', () => join(dir, 'nope.json'), /^error: cannot read .*nope\.json: ENOENT/],
  ])('prints one error line and exits 1 for %s', async (_label, makeFile, reason) => {
    const io = capture();
    expect(await runReportParse(makeFile(), io)).toBe(1);
    expect(io.out).toBe('');
    expect(io.err.endsWith('\n')).toBe(true);
    expect(io.err.trimEnd().split('\n')).toHaveLength(1);
    expect(io.err.trimEnd()).toMatch(reason);
  });
});

describe('registerReportCommands', () => {
  afterEach(() => {
    process.exitCode = undefined;
  });

  it('adds report:parse to a commander program', async () => {
    const io = capture();
    const program = new Command().exitOverride();
    registerReportCommands(program, io);
    await program.parseAsync(['report:parse', write('cli.json', atRisk)], { from: 'user' });
    expect(process.exitCode).toBe(0);
    expect((JSON.parse(io.out) as ParsedReport).marketplaces).toHaveLength(1);
  });

  it('sets exit code 1 on invalid input', async () => {
    const io = capture();
    const program = new Command().exitOverride();
    registerReportCommands(program, io);
    await program.parseAsync(['report:parse', write('bad.json', '[')], { from: 'user' });
    expect(process.exitCode).toBe(1);
    expect(io.err).toMatch(/^error: /);
  });
});
