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
    businessName: z
      .string()
      .nullable()
      .describe(
        'The registered business name Amazon gave for the token when the account was connected; a reconnect ' +
          'must give the same one. Null when Amazon gives none (an individual seller), or for an account ' +
          'connected before names were recorded, until its next reconnect',
      ),
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

/** Amazon's seller ids (merchant tokens): `A` and 9 to 19 more capital letters or digits, `A2X7K9QWERTY12`. */
export const SellerId = z
  .string()
  .trim()
  .regex(
    /^A[0-9A-Z]{9,19}$/,
    'a seller id is A followed by 9 to 19 capital letters or digits (Seller Central, Account Info)',
  );

const RefreshToken = z
  .string()
  .min(1)
  .max(4096)
  .regex(/^[\x21-\x7e]+$/, 'a refresh token is printable ASCII without spaces (Atzr|...)')
  .describe('LWA refresh token (stored encrypted, never returned)');

export const ConnectAccountBody = z.object({
  sellerId: SellerId,
  name: z.string().trim().min(1).max(200),
  region: Region,
  refreshToken: RefreshToken,
  marketplaceIds: z
    .array(z.string().regex(/^[A-Z0-9]{10,16}$/, 'a marketplace id is 10 to 16 capital letters or digits'))
    .min(1)
    .max(25)
    .optional(),
});

export const ReconnectAccountBody = z.object({ refreshToken: RefreshToken });

export const AccountParams = z.object({ id: z.uuid() });

/** A POST that has nothing to say still sends `{}` (JSON only: a cross-site form cannot send it). */
export const EmptyBody = z.object({}).strict();

export const DeleteAccountBody = z
  .object({
    confirmName: z
      .string()
      .max(200)
      .describe('The account’s name, exactly: the delete is refused (400) otherwise'),
  })
  .strict();
