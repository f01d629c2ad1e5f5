import { describe, expect, it } from 'vitest';
import { compactGraphQL, GraphQLParseError, parseGraphQL } from './graphql.ts';

describe('parseGraphQL', () => {
  it('reads fields, aliases, arguments of every kind and nested selections, commas and comments included', () => {
    const op = parseGraphQL(`
      # the backfill's query
      query Backfill {
        analytics_sellerAnalytics_2025_03_31 {
          view: sellerAnalyticsView(
            startDate: "2025-06-01", endDate: "2025-06-\\u00330"   # escaped 3
            aggregateBy: DAY
            marketplaceId: ["ATVPDKIKX0DER" "A2EUQ1WTGCTBG2"]
            currencyCode: null, limit: -1.5e2, flag: true, filter: { a: [1, 2] }
          ) { startDate endDate }
        }
      }`);
    expect(op.name).toBe('Backfill');
    const root = op.selections[0]!;
    expect(root.name).toBe('analytics_sellerAnalytics_2025_03_31');
    const view = root.selections![0]!;
    expect(view).toMatchObject({ key: 'view', name: 'sellerAnalyticsView', line: 5 });
    expect(Object.fromEntries(view.args.map((a) => [a.name, a.value]))).toEqual({
      startDate: { kind: 'string', value: '2025-06-01' },
      endDate: { kind: 'string', value: '2025-06-30' },
      aggregateBy: { kind: 'enum', value: 'DAY' },
      marketplaceId: {
        kind: 'list',
        values: [
          { kind: 'string', value: 'ATVPDKIKX0DER' },
          { kind: 'string', value: 'A2EUQ1WTGCTBG2' },
        ],
      },
      currencyCode: { kind: 'null' },
      limit: { kind: 'number', value: -150, raw: '-1.5e2' },
      flag: { kind: 'boolean', value: true },
      filter: {
        kind: 'object',
        fields: {
          a: {
            kind: 'list',
            values: [
              { kind: 'number', value: 1, raw: '1' },
              { kind: 'number', value: 2, raw: '2' },
            ],
          },
        },
      },
    });
    expect(view.selections?.map((f) => f.name)).toEqual(['startDate', 'endDate']);
    expect(view.selections?.[0]?.selections).toBeUndefined();
  });

  it('takes the anonymous shorthand and block strings', () => {
    const op = parseGraphQL('{ a(text: """ two\nlines """) { b } }');
    expect(op.selections[0]?.args[0]?.value).toEqual({ kind: 'string', value: 'two\nlines' });
  });

  it('tells syntax errors from valid GraphQL the simulator does not take', () => {
    const kind = (text: string) => {
      try {
        parseGraphQL(text);
        return 'parsed';
      } catch (error) {
        return error instanceof GraphQLParseError ? error.kind : 'other';
      }
    };
    expect(kind('query { a { b }')).toBe('syntax');
    expect(kind('query { a(x: ) { b } }')).toBe('syntax');
    expect(kind('query { a(x: "open) { b } }')).toBe('syntax');
    expect(kind('query { a { } }')).toBe('syntax');
    expect(kind('hello')).toBe('syntax');
    expect(kind('query { a { ...F } } fragment F on T { b }')).toBe('unsupported');
    expect(kind('query Q($d: Date!) { a(x: $d) { b } }')).toBe('unsupported');
    expect(kind('query { a @include(if: true) { b } }')).toBe('unsupported');
    expect(kind('mutation { a { b } }')).toBe('unsupported');
    expect(kind('query { a { b } } query { c { d } }')).toBe('unsupported');
    expect(() => parseGraphQL('query {\n  a(x: %) { b } }')).toThrow(/line 2, column 8/);
  });
});

describe('compactGraphQL', () => {
  it('drops the whitespace, commas and comments GraphQL does not need, and keeps strings whole', () => {
    expect(compactGraphQL('query {\n  a(x: "two  words", y: 1) {   b c  } # note\n}')).toBe(
      'query{a(x:"two  words"y:1){b c}}',
    );
  });
});
