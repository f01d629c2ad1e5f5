import { z } from 'zod';
import { HISTORY_COLUMNS } from './history-export.ts';

// The history export's query (history-export.routes.ts, and the command line's options through the same schema).

const Day = (name: 'from' | 'to') =>
  z.iso.date({ error: `\`${name}\` must be a date as YYYY-MM-DD (a UTC day)` }).optional();

export const HistoryExportQuery = z.object({
  from: Day('from').describe('First UTC day included (YYYY-MM-DD); the start of the history if absent'),
  to: Day('to').describe('Last UTC day included (YYYY-MM-DD); up to the newest snapshot if absent'),
  metrics: z
    .string()
    .max(2_000)
    .optional()
    .describe(
      'Metric names, comma-separated (order_defect_rate,late_shipment_rate, account_status, ahr_score...); ' +
        'every one if absent. An unknown name is a 400 that lists the known ones',
    ),
  marketplace: z
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
            .max(20)
            .regex(/^[A-Z0-9]+$/, 'marketplace ids are capital letters and digits'),
        )
        .max(50),
    )
    .optional()
    .describe('Marketplace ids, comma-separated; every marketplace if absent'),
});

export const HISTORY_EXPORT_DESCRIPTION =
  `Streamed, one row per snapshot, marketplace and figure, by marketplace then capture time. Columns: ` +
  `${HISTORY_COLUMNS.join(', ')}. \`value\` is the rate as a fraction (0.009 is 0.9 %) for a rate metric, the ` +
  `score (0-1000) for \`ahr_score\` (its \`status\` is Amazon's label), and empty for \`account_status\` (its ` +
  "`status` is Amazon's account status). CSV per RFC 4180 with a header row and CRLF line ends, UTF-8; a text " +
  "cell starting with = + - or @ gets a leading ' so that a spreadsheet does not run it. JSON: an array of " +
  'objects with the same keys, null where the CSV cell is empty.';
