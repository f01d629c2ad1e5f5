// Mutates every sample systematically and checks the parser degrades instead of breaking: it never throws, a
// damaged figure becomes null (never 0, never another number), and figures outside the damaged section stay.
import { describe, expect, it } from 'vitest';
import {
  ALIAS_TO_S,
  droppablePaths,
  flattenReport,
  getAt,
  leafPaths,
  objectPaths,
  pathToString,
  S_TO_ALIAS,
  sectionOf,
  splitFlatKey,
  withDateOffsets,
  withDatesWithoutSeconds,
  withKeyAddedAt,
  withKeysRenamed,
  withoutPath,
  withValueAt,
  WRONG_TYPES,
  type FlatReport,
  type JsonPath,
} from './fixtures/report-variants.ts';
import { loadFixture, loadSample, sampleFileNames } from './fixtures/sample-files.ts';
import { INTERNAL_ERROR_NOTE, parseSellerPerformanceReport } from './parse-seller-performance.ts';
import type { MarketplaceHealth, ParsedReport } from './types.ts';

const documents: [string, unknown][] = [
  ...sampleFileNames().map((name): [string, unknown] => [name, loadSample(name)]),
  ['fixtures/s-example-spellings.json', loadFixture('s-example-spellings.json')],
];

/** Leaves the parser reads only to cross-check (`fulfillmentType`) or not at all (`dateOffset`). */
const IGNORED_LEAVES = new Set(['fulfillmentType', 'duration', 'offset']);

interface Scope {
  /** Marketplaces the mutation may change; null = any. */
  ids: Set<string> | null;
  /** Section the mutation may change; '*' = the whole marketplace. */
  section: string;
}

function scopeOf(doc: unknown, path: JsonPath, injected?: unknown): Scope {
  const [top, index, key] = path;
  if ((top !== 'accountStatuses' && top !== 'performanceMetrics') || typeof index !== 'number') {
    return { ids: null, section: '*' };
  }
  const id = (getAt(doc, [top, index]) as { marketplaceId?: unknown }).marketplaceId;
  const ids = new Set([String(id)]);
  if (typeof injected === 'string') ids.add(injected);
  if (key === undefined || key === 'marketplaceId') return { ids, section: '*' };
  return { ids, section: top === 'accountStatuses' ? 'accountStatuses' : sectionOf(key) };
}

function inScope(scope: Scope, marketplaceId: string, section: string): boolean {
  return (
    (scope.ids === null || scope.ids.has(marketplaceId)) &&
    (scope.section === '*' || scope.section === section)
  );
}

/** Every difference must sit inside the scope, and inside it a figure may only disappear, become the injected
 * string (open enums keep what they are given), or repeat a figure the baseline had in the same section (a
 * repeated LSR window surfacing from the other copy; with `shifted`, array entries moving up a place). */
function degradationProblems(
  base: FlatReport,
  variant: FlatReport,
  scope: Scope,
  options: { injected?: unknown; shifted?: boolean } = {},
): string[] {
  const { injected, shifted = false } = options;
  const problems: string[] = [];
  for (const key of new Set([...base.keys(), ...variant.keys()])) {
    const before = base.get(key);
    const after = variant.get(key);
    if (Object.is(before, after)) continue;
    const k = splitFlatKey(key);
    if (!inScope(scope, k.marketplaceId, k.section)) {
      problems.push(`untouched figure changed: ${key}: ${String(before)} -> ${String(after)}`);
      continue;
    }
    if (after === undefined || after === null) continue;
    if (typeof injected === 'string' && after === injected) continue;
    if (k.field === 'type' && after === 'unknown') continue;
    const repeated = [...base].some(([otherKey, value]) => {
      const other = splitFlatKey(otherKey);
      return (
        Object.is(value, after) &&
        other.field === k.field &&
        other.section === k.section &&
        inScope(scope, other.marketplaceId, other.section)
      );
    });
    if ((shifted || !base.has(key)) && repeated) continue;
    problems.push(`invented figure: ${key}: ${String(before)} -> ${String(after)}`);
  }
  return problems;
}

function canonicalSource(source: string): string {
  const head = source.split(/[.[]/)[0] ?? '';
  return (S_TO_ALIAS[head] ?? head) + source.slice(head.length);
}

function isWithin(pathText: string, source: string): boolean {
  return pathText === source || pathText.startsWith(`${source}.`) || pathText.startsWith(`${source}[`);
}

/** Whether the mutated spot fed a reported figure (a repeated LSR window is parsed, then dropped). */
function feedsOutput(base: FlatReport, doc: unknown, path: JsonPath): boolean {
  if (path[0] !== 'performanceMetrics' || path.length < 3) return true;
  const id = String((getAt(doc, path.slice(0, 2)) as { marketplaceId?: unknown }).marketplaceId);
  const pathText = canonicalSource(pathToString(path.slice(2)));
  if (path[2] === 'marketplaceId') return true;
  return [...base.keys()].some((key) => {
    const k = splitFlatKey(key);
    return k.marketplaceId === id && isWithin(pathText, canonicalSource(k.source));
  });
}

function parseWithoutThrowing(doc: unknown, label: string, problems: string[]): ParsedReport | null {
  try {
    const report = parseSellerPerformanceReport(doc);
    const crashes = report.notes.filter((n) => n.includes(INTERNAL_ERROR_NOTE));
    if (crashes.length > 0) problems.push(`${label}: ${crashes.join('; ')}`);
    return report;
  } catch (error) {
    problems.push(`${label}: threw ${(error as Error).message}`);
    return null;
  }
}

function withCanonicalSources(marketplaces: MarketplaceHealth[]): MarketplaceHealth[] {
  return marketplaces.map((m) => ({
    ...m,
    rates: m.rates.map((r) => ({ ...r, source: canonicalSource(r.source) })),
    policies: m.policies.map((p) => ({ ...p, source: canonicalSource(p.source) })),
  }));
}

describe.each(documents)('variants of %s', (_name, doc) => {
  const baseline = parseSellerPerformanceReport(doc);
  const baseFlat = flattenReport(baseline);

  it('has figures to compare', () => {
    expect(baseFlat.size).toBeGreaterThan(10);
  });

  it('reads every alias in its other spelling, with dateOffset windows, to the same figures', () => {
    const renames = Object.keys(ALIAS_TO_S).some((k) => JSON.stringify(doc).includes(`"${k}"`))
      ? ALIAS_TO_S
      : S_TO_ALIAS;
    const variant = parseSellerPerformanceReport(withDateOffsets(withKeysRenamed(doc, renames)));
    expect(withCanonicalSources(variant.marketplaces)).toEqual(withCanonicalSources(baseline.marketplaces));
    expect(variant.notes.filter((n) => n.includes(INTERNAL_ERROR_NOTE))).toEqual([]);
  });

  it('reads dates without seconds', () => {
    const variant = parseSellerPerformanceReport(withDatesWithoutSeconds(doc));
    const expected = JSON.parse(
      JSON.stringify(baseline.marketplaces).replace(/(T\d\d:\d\d):\d\d\.000Z"/g, '$1:00.000Z"'),
    ) as MarketplaceHealth[];
    expect(variant.marketplaces).toEqual(expected);
  });

  it('survives every section dropped one at a time, reporting it as missing, never as 0', () => {
    const problems: string[] = [];
    const paths = droppablePaths(doc);
    for (const path of paths) {
      const label = `drop ${pathToString(path)}`;
      const variant = parseWithoutThrowing(withoutPath(doc, path), label, problems);
      if (variant === null) continue;
      const flat = flattenReport(variant);
      const scope = scopeOf(doc, path);
      const shifted = typeof path[path.length - 1] === 'number';
      problems.push(...degradationProblems(baseFlat, flat, scope, { shifted }).map((p) => `${label}: ${p}`));

      const dropped = getAt(doc, path);
      const leafKey = path[path.length - 1];
      const isLeaf = dropped === null || typeof dropped !== 'object';
      if (isLeaf && !IGNORED_LEAVES.has(String(leafKey)) && feedsOutput(baseFlat, doc, path)) {
        const lost = [...baseFlat].some(([key, value]) => {
          const k = splitFlatKey(key);
          if (value === null || !inScope(scope, k.marketplaceId, k.section)) return false;
          const after = flat.get(key) ?? null;
          // A warning that lost its name is kept as "unknown" rather than dropped, so its status still counts.
          return after === null || (k.field === 'type' && after === 'unknown');
        });
        if (!lost) problems.push(`${label}: nothing became "not reported"`);
      }
      if (path[0] === 'performanceMetrics' && path.length === 3) {
        const id = String((getAt(doc, path.slice(0, 2)) as { marketplaceId?: unknown }).marketplaceId);
        const droppedKey = canonicalSource(String(leafKey));
        for (const [key, value] of baseFlat) {
          const k = splitFlatKey(key);
          if (k.marketplaceId !== id || canonicalSource(k.source) !== droppedKey || value === null) continue;
          if ((flat.get(key) ?? null) !== null)
            problems.push(`${label}: ${key} still ${String(flat.get(key))}`);
        }
      }
    }
    expect(paths.length).toBeGreaterThan(20);
    expect(problems.slice(0, 20)).toEqual([]);
  });

  it('keeps figures when unknown fields are added at every level, and lists them', () => {
    const problems: string[] = [];
    const strip = (ms: MarketplaceHealth[]) => ms.map((m) => ({ ...m, unknownKeys: [] }));
    for (const path of objectPaths(doc)) {
      const label = `add at ${pathToString(path) || '(root)'}`;
      const variant = parseWithoutThrowing(
        withKeyAddedAt(doc, path, 'zzFutureField', { addedBy: 'test' }),
        label,
        problems,
      );
      if (variant === null) continue;
      if (JSON.stringify(strip(variant.marketplaces)) !== JSON.stringify(strip(baseline.marketplaces))) {
        problems.push(`${label}: figures changed`);
      }
      const recorded = [...variant.notes, ...variant.marketplaces.flatMap((m) => m.unknownKeys)].some((s) =>
        s.includes('zzFutureField'),
      );
      if (!recorded && !path.includes('dateOffset')) problems.push(`${label}: unknown field not recorded`);
    }
    expect(problems.slice(0, 20)).toEqual([]);
  });

  it('never throws on wrong types at any leaf, and only loses the damaged figure', () => {
    const problems: string[] = [];
    const leaves = leafPaths(doc);
    for (const path of leaves) {
      const original = getAt(doc, path);
      for (const injected of WRONG_TYPES) {
        const label = `${pathToString(path)} = ${JSON.stringify(injected)}`;
        const variant = parseWithoutThrowing(withValueAt(doc, path, injected), label, problems);
        if (variant === null) continue;
        const scope = scopeOf(doc, path, injected);
        problems.push(
          ...degradationProblems(baseFlat, flattenReport(variant), scope, { injected }).map(
            (p) => `${label}: ${p}`,
          ),
        );
        const garbage = injected !== null && !(typeof injected === 'string' && typeof original === 'string');
        const ignored = path.some((p) => p === 'dateOffset' || p === 'fulfillmentType');
        const baselineNotes = new Set(baseline.notes);
        if (garbage && !ignored && variant.notes.every((n) => baselineNotes.has(n))) {
          problems.push(`${label}: no new note`);
        }
      }
    }
    expect(leaves.length).toBeGreaterThan(20);
    expect(problems.slice(0, 20)).toEqual([]);
  });
});
