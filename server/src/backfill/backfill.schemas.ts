import { z } from 'zod';
import { isDay } from './days.ts';

const Day = z
  .string()
  .refine(isDay, { message: 'a calendar day as YYYY-MM-DD' })
  .describe('A UTC calendar day, YYYY-MM-DD');

export const BackfillBody = z
  .object({
    from: Day.optional().describe(
      'First day to fetch; default two years before yesterday (Amazon keeps two years)',
    ),
    marketplaceId: z
      .string()
      .min(1)
      .max(40)
      .optional()
      .describe('One marketplace of the account; default every enabled one'),
  })
  .strict();

export const BackfillJob = z
  .object({
    id: z.uuid(),
    accountId: z.uuid(),
    trigger: z.enum(['connect', 'api', 'cli', 'daily', 'demo']),
    status: z
      .enum(['queued', 'running', 'done', 'failed', 'no_access'])
      .describe('no_access: Amazon refused the history (the analytics role is not granted); see `error`'),
    marketplaceIds: z.array(z.string()),
    from: z.string(),
    to: z.string(),
    daysTotal: z.number().int().describe('Days times marketplaces'),
    daysDone: z.number().int(),
    linesStored: z.number().int().describe('Days (lines of Data Kiosk documents) stored so far'),
    linesSkipped: z
      .number()
      .int()
      .describe('Lines of Amazon’s documents that could not be read (not JSON, no day), skipped'),
    chunksTotal: z
      .number()
      .int()
      .describe('Data Kiosk queries the job makes (more if Amazon pages a result)'),
    chunksDone: z.number().int(),
    queryId: z.string().nullable().describe('The Data Kiosk query in flight'),
    documentId: z.string().nullable().describe('Its result document, once known'),
    error: z.string().nullable(),
    attempts: z.number().int().describe('Failed attempts in a row; the job is retried from where it stopped'),
    nextAttemptAt: z.string().nullable(),
    createdAt: z.string(),
    startedAt: z.string().nullable(),
    finishedAt: z.string().nullable(),
    updatedAt: z.string(),
  })
  .describe('BackfillJob');

export const BackfillState = z
  .object({
    accountId: z.uuid(),
    historyError: z
      .string()
      .nullable()
      .describe('Why Amazon refused the history, and what to do; null once a backfill has succeeded'),
    jobs: z.array(BackfillJob).describe('Newest first, at most 20'),
  })
  .describe('BackfillState');

export const BackfillQueued = z.object({ job: BackfillJob }).describe('BackfillQueued');
