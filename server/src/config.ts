import { z } from 'zod';
import { existsSync } from 'node:fs';
import path from 'node:path';
import cron from 'node-cron';

// The environment is parsed once at boot, refused early with one line per problem, then frozen.

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const ROLES = ['all', 'web', 'poller'] as const;

const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

const integer = (name: string, min: number, max: number, fallback: number) =>
  z.preprocess(
    blankToUndefined,
    z
      .string()
      .optional()
      .transform((v, ctx) => {
        if (v === undefined) return fallback;
        const n = /^-?\d+$/.test(v.trim()) ? Number(v) : NaN;
        if (!Number.isInteger(n) || n < min || n > max) {
          ctx.addIssue({ code: 'custom', message: `${name} must be an integer between ${min} and ${max}` });
          return z.NEVER;
        }
        return n;
      }),
  );

const url = (name: string, protocols: string[]) =>
  z.preprocess(
    blankToUndefined,
    z
      .string()
      .optional()
      .refine(
        (v) => {
          if (v === undefined) return true;
          try {
            return protocols.includes(new URL(v).protocol);
          } catch {
            return false;
          }
        },
        { message: `${name} must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}` },
      ),
  );

const oneOf = <T extends readonly [string, ...string[]]>(name: string, values: T, fallback: T[number]) =>
  z.preprocess(
    (v) => (typeof v === 'string' ? v.trim().toLowerCase() || undefined : v),
    z
      .enum(values, { message: `${name} must be one of ${values.join(', ')}` })
      .optional()
      .transform((v) => v ?? fallback),
  );

const booleanFlag = (name: string, fallback: boolean) =>
  z.preprocess(
    (v) => (typeof v === 'string' ? v.trim().toLowerCase() || undefined : v),
    z
      .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: `${name} must be true or false` })
      .optional()
      .transform((v) => (v === undefined ? fallback : v === 'true' || v === '1' || v === 'yes')),
  );

const cronExpression = (name: string, fallback: string) =>
  z.preprocess(
    blankToUndefined,
    z
      .string()
      .optional()
      .transform((v) => v ?? fallback)
      .refine((v) => cron.validate(v), { message: `${name} must be a valid cron expression` }),
  );

const EnvSchema = z.object({
  PORT: integer('PORT', 1, 65535, 3000),
  HOST: z.preprocess(blankToUndefined, z.string().default('127.0.0.1')),
  PUBLIC_URL: url('PUBLIC_URL', ['http:', 'https:']),
  DATABASE_URL: url('DATABASE_URL', ['postgres:', 'postgresql:']),
  DATA_DIR: z.preprocess(blankToUndefined, z.string().default('./data')),
  LOG_LEVEL: oneOf('LOG_LEVEL', LOG_LEVELS, 'info'),
  APP_SECRET: z.preprocess(
    blankToUndefined,
    z
      .string()
      .optional()
      .refine((v) => v === undefined || v.length >= 32, {
        message: 'APP_SECRET must be at least 32 characters (for example: openssl rand -base64 32)',
      }),
  ),
  ROLE: oneOf('ROLE', ROLES, 'all'),
  SPAPI_CLIENT_ID: z.preprocess(blankToUndefined, z.string().optional()),
  SPAPI_CLIENT_SECRET: z.preprocess(blankToUndefined, z.string().optional()),
  SPAPI_ENDPOINT: url('SPAPI_ENDPOINT', ['http:']),
  // The app's id, which names it on the consent page; the LWA client id is another thing, often pasted here.
  SPAPI_APPLICATION_ID: z.preprocess(
    (v) => (typeof v === 'string' ? v.trim() || undefined : v),
    z
      .string()
      .regex(/^amzn1\.(sp\.solution|sellerapps\.app)\.[A-Za-z0-9-]+$/, {
        message:
          "SPAPI_APPLICATION_ID must be the app's id as Developer Central shows it (amzn1.sp.solution.… or " +
          'amzn1.sellerapps.app.…), not its LWA client id',
      })
      .optional(),
  ),
  SPAPI_APP_DRAFT: booleanFlag('SPAPI_APP_DRAFT', true),
  SIMULATOR_PORT: integer('SIMULATOR_PORT', 0, 65535, 0),
  POLL_CRON: cronExpression('POLL_CRON', '0 */4 * * *'),
  POLL_CONCURRENCY: integer('POLL_CONCURRENCY', 1, 256, 8),
  BACKFILL_CONCURRENCY: integer('BACKFILL_CONCURRENCY', 1, 256, 16),
  POLL_LEASE_SECONDS: integer('POLL_LEASE_SECONDS', 5, 86_400, 600),
  POLL_DISPATCH_SECONDS: integer('POLL_DISPATCH_SECONDS', 1, 59, 10),
  REPORT_POLL_SECONDS: integer('REPORT_POLL_SECONDS', 1, 600, 15),
  REPORT_DEADLINE_SECONDS: integer('REPORT_DEADLINE_SECONDS', 10, 86_400, 1_200),
  RAW_DOCUMENT_RETENTION_DAYS: integer('RAW_DOCUMENT_RETENTION_DAYS', 0, 36_500, 180),
  ADMIN_EMAIL: z.preprocess(
    blankToUndefined,
    z.email({ message: 'ADMIN_EMAIL must be an email address' }).optional(),
  ),
  ADMIN_PASSWORD: z.preprocess(blankToUndefined, z.string().optional()),
  SESSION_IDLE_DAYS: integer('SESSION_IDLE_DAYS', 1, 365, 7),
  SESSION_MAX_DAYS: integer('SESSION_MAX_DAYS', 1, 3_650, 30),
  SMTP_URL: url('SMTP_URL', ['smtp:', 'smtps:']),
  MAIL_FROM: z.preprocess(blankToUndefined, z.string().optional()),
  CASE_UPLOAD_MAX_MB: integer('CASE_UPLOAD_MAX_MB', 1, 100, 10),
  CASE_DEADLINE_REMINDER_HOURS: z.preprocess(
    blankToUndefined,
    z
      .string()
      .optional()
      .transform((v, ctx) => {
        if (v === undefined) return [72, 24];
        const hours = v.split(',').map((x) => Number(x.trim()));
        if (hours.length === 0 || hours.some((h) => !Number.isInteger(h) || h < 1 || h > 720)) {
          ctx.addIssue({
            code: 'custom',
            message:
              'CASE_DEADLINE_REMINDER_HOURS must be whole hours between 1 and 720, comma-separated (72,24)',
          });
          return z.NEVER;
        }
        return [...new Set(hours)].sort((a, b) => b - a);
      }),
  ),
});

export type LogLevel = (typeof LOG_LEVELS)[number];
export type Role = (typeof ROLES)[number];

export interface AppConfig {
  readonly port: number;
  readonly host: string;
  /**
   * The address users reach the server by, when it is a name other than localhost (`https://gs.example.com`):
   * requests for any other name are refused, against DNS rebinding.
   */
  readonly publicUrl: string | undefined;
  /** Set: real Postgres through `pg`. Unset: embedded PGlite under `dataDir/pglite`. */
  readonly databaseUrl: string | undefined;
  readonly dataDir: string;
  readonly logLevel: LogLevel;
  /** Key material for encrypting secrets at rest; when unset, one is generated into DATA_DIR at start. */
  readonly appSecret: string | undefined;
  readonly role: Role;
  readonly spapi: {
    /** Undefined in demo mode: the app starts the local simulator and uses its demo credentials. */
    readonly clientId: string | undefined;
    readonly clientSecret: string | undefined;
    /** Transport seam: every SP-API, LWA and document request goes to this local address. */
    readonly endpoint: string | undefined;
    /**
     * The app's id for Amazon's consent flow (docs/oauth.md §1). Unset in live mode: accounts are connected by
     * pasting refresh tokens only. Demo mode defaults it to the simulator's app.
     */
    readonly applicationId: string | undefined;
    /** The app is still a draft: consent URLs carry `version=beta`. */
    readonly appDraft: boolean;
  };
  readonly demo: boolean;
  readonly simulatorPort: number;
  readonly auth: {
    /** ADMIN_EMAIL and ADMIN_PASSWORD: the first admin, created at start when there is no user yet. */
    readonly firstAdmin: { readonly email: string; readonly password: string } | undefined;
    readonly sessionIdleMs: number;
    readonly sessionMaxMs: number;
  };
  readonly poll: {
    readonly cron: string;
    readonly concurrency: number;
    readonly leaseSeconds: number;
    readonly reportDeadlineSeconds: number;
    /** How often each instance looks for due accounts. */
    readonly dispatchSeconds: number;
    /** First wait between getReport checks while Amazon prepares a report (undefined: 15 s, 1 s in demo). */
    readonly reportPollSeconds: number | undefined;
  };
  /** Data Kiosk history jobs one instance works on at once (they mostly wait on Amazon). */
  readonly backfillConcurrency: number;
  /** Raw report bodies older than this many days are pruned (their figures stay); 0 keeps them forever. */
  readonly rawDocumentRetentionDays: number;
  readonly mail: {
    /** `smtp://user:pass@host:587` or `smtps://…:465`; unset: messages are kept in the outbox (demo mode). */
    readonly smtpUrl: string | undefined;
    /** The From of every message: `Good Standing <alerts@example.com>`. */
    readonly from: string;
  };
  readonly cases: {
    /** The largest evidence file a case takes, in bytes. */
    readonly uploadMaxBytes: number;
    /** Reminders of a case's response deadline go out this many hours before it, largest first. */
    readonly deadlineReminderHours: readonly number[];
  };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('; '));
    this.name = 'ConfigError';
  }
}

/** Parses the environment (plus an optional `.env` loaded by the caller). Throws ConfigError. */
export function loadConfig(env: Record<string, string | undefined>): AppConfig {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => issue.message));
  }
  const e = parsed.data;
  const problems: string[] = [];
  if ((e.SPAPI_CLIENT_ID === undefined) !== (e.SPAPI_CLIENT_SECRET === undefined)) {
    problems.push('SPAPI_CLIENT_ID and SPAPI_CLIENT_SECRET must be set together');
  }
  if ((e.ADMIN_EMAIL === undefined) !== (e.ADMIN_PASSWORD === undefined)) {
    problems.push('ADMIN_EMAIL and ADMIN_PASSWORD must be set together');
  }
  if (e.ADMIN_PASSWORD !== undefined && e.ADMIN_PASSWORD.length < 12) {
    problems.push('ADMIN_PASSWORD must be at least 12 characters');
  }
  if (e.SESSION_MAX_DAYS < e.SESSION_IDLE_DAYS) {
    problems.push('SESSION_MAX_DAYS must be at least SESSION_IDLE_DAYS');
  }
  // Amazon sends the browser back to PUBLIC_URL, and registers only https redirect URIs (docs/oauth.md §5); a
  // local endpoint (the simulator) plays Amazon and takes any address.
  const live = e.SPAPI_CLIENT_ID !== undefined;
  if (live && e.SPAPI_APPLICATION_ID !== undefined) {
    const publicUrl = e.PUBLIC_URL?.trim();
    if (publicUrl === undefined) {
      problems.push(
        'SPAPI_APPLICATION_ID needs PUBLIC_URL: Amazon sends the browser back to PUBLIC_URL/api/oauth/callback',
      );
    } else if (e.SPAPI_ENDPOINT === undefined && !publicUrl.startsWith('https://')) {
      problems.push(
        "PUBLIC_URL must start with https:// for Amazon's consent flow: Amazon accepts only https redirect URIs",
      );
    }
  }
  const from = e.MAIL_FROM?.trim() ?? defaultFrom(e.PUBLIC_URL);
  if (!/^(?:[^<>]*<[^<>@\s]+@[^<>@\s]+>|[^<>@\s]+@[^<>@\s]+)$/.test(from)) {
    problems.push('MAIL_FROM must be an address, alone or as "Name <address>"');
  }
  if (problems.length > 0) throw new ConfigError(problems);

  const demo = e.SPAPI_CLIENT_ID === undefined;
  return Object.freeze({
    port: e.PORT,
    host: e.HOST,
    publicUrl: e.PUBLIC_URL?.trim(),
    databaseUrl: e.DATABASE_URL,
    dataDir: path.resolve(e.DATA_DIR),
    logLevel: e.LOG_LEVEL,
    appSecret: e.APP_SECRET,
    role: e.ROLE,
    spapi: Object.freeze({
      clientId: e.SPAPI_CLIENT_ID,
      clientSecret: e.SPAPI_CLIENT_SECRET,
      endpoint: e.SPAPI_ENDPOINT,
      applicationId: e.SPAPI_APPLICATION_ID,
      appDraft: e.SPAPI_APP_DRAFT,
    }),
    demo,
    simulatorPort: e.SIMULATOR_PORT,
    poll: Object.freeze({
      cron: e.POLL_CRON,
      concurrency: e.POLL_CONCURRENCY,
      leaseSeconds: e.POLL_LEASE_SECONDS,
      reportDeadlineSeconds: e.REPORT_DEADLINE_SECONDS,
      dispatchSeconds: e.POLL_DISPATCH_SECONDS,
      reportPollSeconds: env.REPORT_POLL_SECONDS?.trim() ? e.REPORT_POLL_SECONDS : undefined,
    }),
    backfillConcurrency: e.BACKFILL_CONCURRENCY,
    rawDocumentRetentionDays: e.RAW_DOCUMENT_RETENTION_DAYS,
    mail: Object.freeze({ smtpUrl: e.SMTP_URL, from }),
    cases: Object.freeze({
      uploadMaxBytes: e.CASE_UPLOAD_MAX_MB * 1024 * 1024,
      deadlineReminderHours: Object.freeze(e.CASE_DEADLINE_REMINDER_HOURS),
    }),
    auth: Object.freeze({
      firstAdmin:
        e.ADMIN_EMAIL && e.ADMIN_PASSWORD
          ? Object.freeze({ email: e.ADMIN_EMAIL, password: e.ADMIN_PASSWORD })
          : undefined,
      sessionIdleMs: e.SESSION_IDLE_DAYS * 86_400_000,
      sessionMaxMs: e.SESSION_MAX_DAYS * 86_400_000,
    }),
  });
}

/** Reads `.env` from the working directory into process.env (without overriding what is set). */
function loadDotEnv(file = '.env'): void {
  if (existsSync(file)) process.loadEnvFile(file);
}

/**
 * The environment (with `.env`) as configuration, or the lines to show the operator: one per problem, no stack
 * trace, since all they need to know is which variable to fix.
 */
export function readEnvironment(): { config: AppConfig } | { problems: string[] } {
  try {
    loadDotEnv();
    return { config: loadConfig(process.env) };
  } catch (err) {
    const problems = err instanceof ConfigError ? err.problems : [(err as Error).message];
    return { problems: problems.map((p) => `configuration error: ${p}`) };
  }
}

/** `Good Standing <alerts@host>` for the host users reach the server by, else localhost. */
function defaultFrom(publicUrl: string | undefined): string {
  let host = 'localhost';
  try {
    if (publicUrl) host = new URL(publicUrl.trim()).hostname;
  } catch {
    // PUBLIC_URL's own check reports it.
  }
  return `Good Standing <alerts@${host}>`;
}
