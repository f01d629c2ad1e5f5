import { z } from 'zod';
import { AHR_BANDS } from '../reports/types.ts';
import { SPAPI_REGIONS } from '../spapi/marketplaces.ts';

export const Region = z.enum(SPAPI_REGIONS);

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
    .enum(AHR_BANDS)
    .nullable()
    .describe('From the score (0-99 critical, 100-199 at risk, 200+ healthy), else from the label'),
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
    lastSuccessAt: z
      .string()
      .nullable()
      .describe('Capture time of the last report ingested (Amazon’s clock)'),
    lastGoodPollAt: z
      .string()
      .nullable()
      .describe('When the last successful poll finished (this server’s clock)'),
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
