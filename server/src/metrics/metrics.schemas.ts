import { z } from 'zod';
import { AHR_BANDS } from '../reports/types.ts';
import { SPAPI_REGIONS } from '../spapi/marketplaces.ts';

// The read API of the time series. Rates are fractions (0.009 is 0.9 %); times are ISO 8601 instants.

const Instant = z.string().describe('ISO 8601 instant');

/** A comma-separated list in a query string (`?metrics=order_defect_rate,late_shipment_rate`). */
const CsvList = (what: string) =>
  z
    .string()
    .max(2_000)
    .transform((s) =>
      s
        .split(',')
        .map((x) => x.trim())
        .filter((x) => x.length > 0),
    )
    .pipe(
      z
        .array(
          z
            .string()
            .max(100)
            .regex(/^[A-Za-z0-9_]+$/, `${what} are letters, digits and _`),
        )
        .max(50),
    )
    .optional();

const QueryInstant = z.iso
  .datetime({ offset: true })
  .or(z.iso.date())
  .transform((s) => new Date(s))
  .optional();

export const RangeQuery = z.object({
  marketplace: CsvList('marketplace ids').describe(
    'Marketplace ids, comma-separated; every marketplace if absent',
  ),
  from: QueryInstant.describe('Start of the range (ISO 8601 date or instant)'),
  to: QueryInstant.describe('End of the range; no end if absent'),
});

/** The name `metrics` takes for the numeric Account Health Rating, whose series is `scores`, not `series`. */
export const SCORE_METRIC = 'ahr_score';

export const SeriesQuery = RangeQuery.extend({
  metrics: CsvList('metric names').describe(
    'Metric names, comma-separated (order_defect_rate, late_shipment_rate, ...); every metric if absent. ' +
      `${SCORE_METRIC} names the Account Health Rating's score (\`scores\`): left out when others are named alone`,
  ),
  resolution: z
    .enum(['report', 'day'])
    .optional()
    .describe(
      'report: every report; day: the last of each UTC day. Default: report up to 31 days, day beyond',
    ),
});

export const WarningStatesQuery = z.object({
  marketplace: RangeQuery.shape.marketplace,
  clearedSince: QueryInstant.describe('Also list warnings cleared since then (default: 90 days ago)'),
});

export const Target = z
  .object({
    value: z.number(),
    condition: z.string().describe('LESS_THAN, GREATER_THAN, ... as Amazon says'),
  })
  .nullable();

const Parts = z
  .record(z.string(), z.object({ count: z.number().nullable(), status: z.string().nullable() }))
  .nullable()
  .describe('Sub-counts: claims, chargebacks, negative feedback for the order defect rate...');

export const Channel = z.enum(['afn', 'mfn', 'all']);
export const Standing = z
  .enum(['suspended', 'at_risk', 'fine', 'unknown'])
  .describe(
    'suspended (deactivated), at_risk (at risk, a bad rating or a metric past its target), fine, or unknown (no data yet)',
  );

export const LatestFigure = z.object({
  metric: z.string(),
  channel: Channel,
  windowDays: z.number().nullable(),
  rate: z.number().nullable(),
  numerator: z.number().nullable(),
  denominator: z.number().nullable(),
  status: z.string().nullable().describe("Amazon's verdict: GOOD, BAD, NONE..."),
  target: Target,
  breached: z.boolean().nullable().describe('The rate is on the wrong side of its target; null when unknown'),
  headroom: z
    .number()
    .nullable()
    .describe(
      'Bad events the window can still take before the target is crossed (defective orders, late shipments; for ' +
        '"over" targets, new shipments without tracking or delivered late); null when past it or unknown',
    ),
  window: z.object({ from: Instant.nullable(), to: Instant.nullable() }),
  capturedAt: Instant,
  source: z.enum(['report', 'data_kiosk']),
  parts: Parts,
});

export const PolicyCount = z.object({
  category: z.string(),
  count: z.number().nullable(),
  status: z.string().nullable(),
});

export const OverviewMarketplace = z.object({
  marketplaceId: z.string(),
  countryCode: z.string().nullable(),
  name: z.string().nullable(),
  standing: Standing,
  accountStatus: z.string().nullable().describe('NORMAL, AT_RISK, DEACTIVATED... as Amazon reports it'),
  statusSince: Instant.nullable(),
  ahr: z.object({
    status: z.string().nullable().describe('GREAT, GOOD, FAIR, WARNED... as Amazon labels it'),
    score: z.number().nullable().describe('0-1000'),
    band: z
      .enum(AHR_BANDS)
      .nullable()
      .describe('From the score (0-99 critical, 100-199 at risk, 200+ healthy), else the label'),
  }),
  metrics: z.array(LatestFigure),
  policyViolations: z
    .object({ total: z.number(), categories: z.array(PolicyCount) })
    .nullable()
    .describe('Counts from the latest report; null when it had no policy section'),
  lastReportAt: Instant.nullable(),
});

export const OverviewAccount = z.object({
  id: z.uuid(),
  name: z.string(),
  sellerId: z.string(),
  region: z.enum(SPAPI_REGIONS),
  standing: Standing,
  connectionState: z.enum(['connected', 'needs_reauthorization', 'degraded', 'disconnected']),
  connectionError: z.string().nullable(),
  freshness: z.object({
    lastGoodPollAt: Instant.nullable().describe(
      'When the last successful poll finished (this server’s clock)',
    ),
    lastReportAt: Instant.nullable().describe('Capture time of the newest report ingested (Amazon’s clock)'),
    nextPollAt: Instant,
    stale: z.boolean().describe('No successful poll for two polling cycles, or never'),
  }),
  marketplaces: z.array(OverviewMarketplace),
});

export const Overview = z
  .object({
    generatedAt: Instant,
    summary: z.object({
      accounts: z.number(),
      fine: z.number(),
      atRisk: z.number(),
      suspended: z.number(),
      unknown: z.number(),
      stale: z.number(),
      needsReauthorization: z.number(),
    }),
    accounts: z
      .array(OverviewAccount)
      .describe('Worst first: suspended, at risk, unknown, fine; then by name'),
  })
  .describe('Overview');

const column = <T extends z.ZodType>(item: T) => z.array(item);

/**
 * The points of one series as columns, oldest first: `capturedAt[i]`, `rate[i]`... belong together. Columns keep a
 * year of figures small to send and quick to chart.
 */
export const SeriesPoints = z
  .object({
    capturedAt: column(Instant),
    rate: column(z.number().nullable()),
    numerator: column(z.number().nullable()),
    denominator: column(z.number().nullable()),
    status: column(z.string().nullable()),
    targetValue: column(z.number().nullable()),
    windowFrom: column(Instant.nullable()),
    windowTo: column(Instant.nullable()),
    source: column(z.enum(['report', 'data_kiosk'])),
    granularity: column(z.enum(['snapshot', 'day', 'week', 'month'])),
    parts: column(Parts),
  })
  .describe('SeriesPoints');

/** The numeric Account Health Rating of one marketplace, one point a UTC day, as columns, oldest first. */
export const ScorePoints = z
  .object({
    day: column(z.iso.date().describe('UTC day')),
    capturedAt: column(Instant),
    score: column(z.number().describe('0-1000')),
    band: column(
      z
        .enum(AHR_BANDS)
        .nullable()
        .describe('0-99 critical, 100-199 at risk, 200 and up healthy (stored with the score)'),
    ),
    source: column(z.enum(['report', 'data_kiosk'])),
  })
  .describe('ScorePoints');

export const Series = z
  .object({
    accountId: z.uuid(),
    from: Instant,
    to: Instant.nullable(),
    resolution: z
      .enum(['report', 'day'])
      .describe('report: every report; day: the last report of each UTC day'),
    series: z.array(
      z.object({
        marketplaceId: z.string(),
        metric: z.string(),
        channel: Channel,
        windowDays: z.number().nullable(),
        target: Target.describe('The target of the newest point'),
        points: SeriesPoints,
      }),
    ),
    scores: z
      .array(z.object({ marketplaceId: z.string(), points: ScorePoints }))
      .describe(
        "The Account Health Rating's score per marketplace, one point a day whatever the resolution: the day's " +
          'last report with a score, else Data Kiosk’s day. Days without a score are left out',
      ),
  })
  .describe('Series');

export const StatusChange = z.object({
  marketplaceId: z.string(),
  previousStatus: z.string().nullable(),
  status: z.string(),
  changedAt: Instant,
});

export const Violations = z
  .object({
    accountId: z.uuid(),
    series: z.array(
      z.object({
        marketplaceId: z.string(),
        category: z.string(),
        points: z.array(
          z.object({ capturedAt: Instant, count: z.number().nullable(), status: z.string().nullable() }),
        ),
      }),
    ),
  })
  .describe('Violations');

export const WarningStateItem = z.object({
  marketplaceId: z.string(),
  warningType: z.string(),
  status: z.string().nullable(),
  firstSeenAt: Instant,
  lastSeenAt: Instant,
  clearedAt: Instant.nullable(),
});

// ---- the overview page: one row per account and marketplace, sorted, filtered and paged by the server ----

export const BOARD_FIGURES = ['odr_afn', 'odr_mfn', 'lsr_10', 'lsr_30', 'cancel', 'vtr', 'otdr'] as const;
export const BOARD_SORTS = [
  'worst',
  'name',
  'marketplace',
  'ahr',
  'violations',
  'freshness',
  ...BOARD_FIGURES,
] as const;
export const TREND_DAYS = 30;
/** The rating moves slowly (its window is months long): its sparkline looks further back. */
export const SCORE_TREND_DAYS = 90;

export const BoardQuery = z.object({
  q: z.string().max(200).optional().describe('Text in the account name, seller id or marketplace'),
  standing: z
    .string()
    .max(100)
    .transform((s) => s.split(',').filter((x) => x.length > 0))
    .pipe(z.array(Standing))
    .optional()
    .describe('Standings to keep, comma-separated (suspended,at_risk); all if absent'),
  marketplace: z
    .string()
    .max(20)
    .regex(/^[A-Z0-9]+$/)
    .optional()
    .describe('One marketplace id'),
  sort: z.enum(BOARD_SORTS).default('worst').describe('worst: suspended, at risk, then closest to a target'),
  dir: z.enum(['asc', 'desc']).optional().describe('Each sort has its own default: the worst first'),
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(50),
});

const AlertSeverity = z.enum(['info', 'warning', 'critical']);

export const AlertCounts = z.object({
  critical: z.number(),
  warning: z.number(),
  info: z.number(),
});

export const BoardFigure = z.object({
  key: z.enum(BOARD_FIGURES),
  rate: z.number().nullable(),
  target: z
    .object({
      value: z.number(),
      condition: z.string(),
      published: z.boolean().describe("Amazon's published target: the report carried none"),
    })
    .nullable(),
  allowanceUsed: z
    .number()
    .nullable()
    .describe('Share of the allowance between the ideal and the target used: 1 is the target'),
  tone: z
    .enum(['good', 'near', 'breached', 'unknown'])
    .describe('near: 75 % of the allowance used or more; breached: past the target, or BAD by Amazon'),
  trend: z
    .array(z.number().nullable())
    .describe(
      `The last ${TREND_DAYS} UTC days up to the newest report, oldest first, to 4 significant digits; null where no report`,
    ),
  alert: z
    .object({
      id: z.uuid(),
      severity: AlertSeverity,
      projectedBreachAt: Instant.nullable().describe(
        'The earliest projected crossing among the unresolved alerts about this figure',
      ),
    })
    .nullable()
    .describe(
      'The most severe open or acknowledged alert about this figure (its metric, channel and window); null if none',
    ),
});

export const BoardRow = z.object({
  accountId: z.uuid(),
  accountName: z.string(),
  sellerId: z.string(),
  region: z.enum(SPAPI_REGIONS),
  connectionState: OverviewAccount.shape.connectionState,
  connectionError: z.string().nullable(),
  freshness: OverviewAccount.shape.freshness,
  marketplace: z
    .object({ id: z.string(), countryCode: z.string().nullable(), name: z.string().nullable() })
    .nullable()
    .describe('Null for an account with no report yet'),
  standing: Standing,
  accountStatus: z.string().nullable(),
  statusSince: Instant.nullable(),
  ahr: OverviewMarketplace.shape.ahr.extend({
    trend: z
      .array(z.number().nullable())
      .describe(
        `The score on each of the last ${SCORE_TREND_DAYS} UTC days up to the newest report, oldest first (the ` +
          "report's, else Data Kiosk's); null where there is none",
      ),
  }),
  figures: z
    .array(BoardFigure.nullable())
    .describe(`One per key figure, in the order ${BOARD_FIGURES.join(', ')}`),
  violations: OverviewMarketplace.shape.policyViolations.describe(
    "The latest report's policy violations: the total, and the categories that have any, most first",
  ),
  closestToTarget: z.number().nullable().describe('The largest share of an allowance used among the figures'),
  alerts: AlertCounts.describe(
    "Open and acknowledged alerts by severity: this marketplace's, and the account's own (stale data, " +
      'authorization), which count on every row of the account',
  ),
  projectedBreachAt: Instant.nullable().describe(
    "The earliest projected crossing of a target among the row's open and acknowledged alerts",
  ),
});

export const Board = z
  .object({
    generatedAt: Instant,
    version: z.string().describe('Changes when any figure does: compare with GET /api/overview/version'),
    summary: Overview.shape.summary,
    alerts: AlertCounts.describe(
      'Open and acknowledged alerts by severity, every account, whatever the filters',
    ),
    marketplaces: z.array(
      z.object({
        id: z.string(),
        countryCode: z.string().nullable(),
        name: z.string().nullable(),
        rows: z.number(),
      }),
    ),
    query: z.object({
      q: z.string(),
      standing: z.array(Standing),
      marketplace: z.string().nullable(),
      sort: z.enum(BOARD_SORTS),
      dir: z.enum(['asc', 'desc']),
    }),
    total: z.number().describe('Rows matching the filters'),
    page: z.number(),
    pageSize: z.number(),
    pages: z.number(),
    rows: z.array(BoardRow),
  })
  .describe('Board');

export const OverviewVersion = z.object({ version: z.string() }).describe('OverviewVersion');
