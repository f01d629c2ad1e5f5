import type { Kysely } from 'kysely';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import type { DB } from '../db/schema.ts';
import { readMonitoringState, readPollTotals, type MonitoringState } from './monitoring.repository.ts';
import { monitoringSamples, SERIES, type Sample, type SeriesKey } from './samples.ts';

// The registry behind GET /metrics. Every series is read from Postgres when Prometheus scrapes (each one's
// collect()), so any instance reports the whole fleet, whichever instance polled; the series of one scrape share a
// single read of the database. The process's own figures (CPU, memory, event loop) are this instance's.

export interface PrometheusOptions {
  /** The Node.js process's own series (prom-client's defaults); on unless turned off. */
  processMetrics?: boolean;
  /** How old the poll totals may be (default 5 minutes): counting every run ever recorded is a scan of the table. */
  pollTotalsMaxAgeMs?: number;
}

const POLL_TOTALS_MAX_AGE_MS = 5 * 60_000;

export function createPrometheusRegistry(db: Kysely<DB>, options: PrometheusOptions = {}): Registry {
  const registry = new Registry();
  // One read per scrape: the collect() of every series of a scrape starts in the same tick and shares it; the next
  // scrape reads again.
  let reading: Promise<Record<SeriesKey, Sample[]>> | undefined;
  // The poll totals of the last read, and when it was made: counters a few minutes behind are still counters.
  const maxAgeMs = options.pollTotalsMaxAgeMs ?? POLL_TOTALS_MAX_AGE_MS;
  let polls: { at: number; totals: Promise<MonitoringState['polls']> } | undefined;
  const pollTotals = () => {
    if (!polls || Date.now() - polls.at >= maxAgeMs) {
      const read = { at: Date.now(), totals: readPollTotals(db) };
      // A failed read is not kept: the next scrape tries again.
      read.totals.catch(() => {
        if (polls === read) polls = undefined;
      });
      polls = read;
    }
    return polls.totals;
  };
  const samples = () =>
    (reading ??= Promise.all([readMonitoringState(db), pollTotals()])
      .then(([state, totals]) => monitoringSamples({ ...state, polls: totals }))
      .finally(() => {
        reading = undefined;
      }));

  for (const key of Object.keys(SERIES) as SeriesKey[]) {
    const { name, help, type, labelNames } = SERIES[key];
    if (type === 'counter') {
      const counter: Counter<string> = new Counter({
        name,
        help,
        labelNames,
        registers: [registry],
        async collect() {
          const all = await samples();
          counter.reset();
          for (const s of all[key]) counter.inc(s.labels, s.value);
        },
      });
    } else {
      const gauge: Gauge<string> = new Gauge({
        name,
        help,
        labelNames,
        registers: [registry],
        async collect() {
          const all = await samples();
          gauge.reset();
          for (const s of all[key]) gauge.set(s.labels, s.value);
        },
      });
    }
  }
  if (options.processMetrics !== false) collectDefaultMetrics({ register: registry });
  return registry;
}
