import { z } from 'zod';

export const RunParams = z.object({ runId: z.uuid() });

export const RunsQuery = z.object({
  ids: z
    .string()
    .max(4_000)
    .transform((s) => s.split(',').filter((x) => x.length > 0))
    .pipe(z.array(z.uuid()).min(1).max(100))
    .describe('Run ids, comma-separated, at most 100: the runs a "Refresh all" started'),
});

export const PollRun = z
  .object({
    id: z.uuid(),
    accountId: z.uuid(),
    trigger: z.enum(['schedule', 'manual', 'cli']),
    status: z
      .enum(['queued', 'running', 'waiting', 'succeeded', 'failed', 'abandoned'])
      .describe('waiting: Amazon is still making the report; the run holds no slot meanwhile'),
    phase: z.string().nullable(),
    outcome: z.string().nullable(),
    errorCode: z.string().nullable(),
    errorMessage: z.string().nullable(),
    queuedAt: z.string(),
    startedAt: z.string().nullable(),
    finishedAt: z.string().nullable(),
    durationMs: z.number().nullable(),
    spapiCalls: z.number(),
    throttles: z.number(),
    bytes: z.number(),
    reportReused: z.boolean().nullable(),
    snapshotsWritten: z.number(),
  })
  .describe('PollRun');

export const RefreshAccepted = z.object({
  runId: z.uuid().describe('Read its progress at /api/poll-runs/{runId}'),
});

export const RefreshManyBody = z
  .object({
    accountIds: z
      .array(z.uuid())
      .min(1)
      .max(10_000)
      .optional()
      .describe('Accounts to poll now; every account when left out'),
  })
  .strict();

export const RefreshManyAccepted = z
  .object({
    runs: z.array(z.object({ accountId: z.uuid(), runId: z.uuid() })),
    skipped: z.array(
      z.object({
        accountId: z.uuid(),
        reason: z.enum(['needs_reauthorization', 'disconnected', 'polling_disabled']),
      }),
    ),
  })
  .describe('RefreshManyAccepted');
