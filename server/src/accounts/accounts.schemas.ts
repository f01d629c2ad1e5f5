import { z } from 'zod';

export const Region = z.enum(['na', 'eu', 'fe']);

export const Marketplace = z.object({
  marketplaceId: z.string(),
  countryCode: z.string().nullable(),
  name: z.string().nullable(),
  enabled: z.boolean(),
  isParticipating: z.boolean(),
  accountStatus: z.string().nullable().describe('NORMAL, AT_RISK, DEACTIVATED... as Amazon reports it'),
  statusSince: z.string().nullable(),
  ahrStatus: z.string().nullable(),
  ahrScore: z.number().nullable(),
  ahrBand: z
    .enum(['healthy', 'at_risk', 'unhealthy'])
    .nullable()
    .describe('Band from the label, or from the score when Amazon uses a label we do not know'),
  lastReportAt: z.string().nullable(),
});

export const Account = z
  .object({
    id: z.uuid(),
    sellerId: z.string(),
    name: z.string(),
    region: Region,
    connectionState: z.enum(['connected', 'needs_reauthorization', 'degraded', 'disconnected']),
    connectionError: z.string().nullable(),
    consecutiveFailures: z.number().int(),
    pollEnabled: z.boolean(),
    nextPollAt: z.string(),
    lastPollAt: z.string().nullable(),
    lastSuccessAt: z.string().nullable().describe('Capture time of the last report ingested: data freshness'),
    marketplaces: z.array(Marketplace),
  })
  .describe('Account');

export const ConnectAccountBody = z.object({
  sellerId: z.string().trim().min(1).max(64),
  name: z.string().trim().min(1).max(200),
  region: Region,
  refreshToken: z.string().min(1).max(4096).describe('LWA refresh token (stored encrypted, never returned)'),
  marketplaceIds: z.array(z.string().min(1)).min(1).max(25).optional(),
});

export const AccountParams = z.object({ id: z.uuid() });
export const RunParams = z.object({ runId: z.uuid() });

export const PollRun = z
  .object({
    id: z.uuid(),
    accountId: z.uuid(),
    trigger: z.enum(['schedule', 'manual', 'cli']),
    status: z.enum(['queued', 'running', 'succeeded', 'failed', 'abandoned']),
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

export const RefreshAccepted = z.object({ runId: z.uuid(), status: z.literal('queued') });
