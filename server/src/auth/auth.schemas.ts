import { z } from 'zod';

export const User = z
  .object({
    id: z.uuid(),
    email: z.string(),
    displayName: z.string().nullable(),
    role: z.enum(['admin', 'viewer']),
    /** IANA time zone times are shown in; null: the browser's. */
    timeZone: z.string().nullable(),
    /** Local time (HH:MM, in timeZone, else UTC) of the daily digest email; null: none. */
    digestTime: z.string().nullable(),
  })
  .describe('User');

export const UserListed = User.extend({
  createdAt: z.string(),
  disabled: z.boolean(),
  /** False while an invited user has not set a password yet. */
  hasPassword: z.boolean(),
}).describe('UserListed');

const email = z.email({ message: 'enter an email address' }).max(320);
const password = z.string().min(1, { message: 'enter a password' }).max(1024);

export const SignInBody = z.object({ email, password }).strict();
export const SetupBody = z
  .object({ email, password, displayName: z.string().trim().min(1).max(200).optional() })
  .strict();
export const SessionInfo = z
  .object({
    user: User,
    /** Send it back as the x-csrf-token header on every POST, PUT, PATCH and DELETE. */
    csrfToken: z.string(),
    demo: z.boolean(),
  })
  .describe('SessionInfo');
export const SetupStatus = z.object({ needed: z.boolean() });

export const InviteBody = z
  .object({
    email,
    role: z.enum(['admin', 'viewer']),
    displayName: z.string().trim().min(1).max(200).optional(),
  })
  .strict();
export const Invited = z.object({
  user: UserListed,
  /** A one-time link to set a first password, valid 7 days; shown once. */
  inviteUrl: z.string(),
});
export const UserParams = z.object({ id: z.uuid() });
export const UserPatch = z
  .object({ role: z.enum(['admin', 'viewer']).optional(), disabled: z.boolean().optional() })
  .strict();
export const InviteParams = z.object({ token: z.string().min(16).max(200) });
export const InviteInfo = z.object({ email: z.string() });
export const AcceptInviteBody = z.object({ password }).strict();

export const ApiTokenListed = z
  .object({
    id: z.uuid(),
    name: z.string(),
    scope: z.enum(['read', 'full']),
    createdAt: z.string(),
    lastUsedAt: z.string().nullable(),
    createdBy: z.string().optional(),
  })
  .describe('ApiToken');
export const ApiTokenCreated = ApiTokenListed.extend({
  /** The token itself, shown this once: only its hash is kept. */
  token: z.string(),
});
export const ApiTokenBody = z
  .object({ name: z.string().trim().min(1).max(100), scope: z.enum(['read', 'full']) })
  .strict();
export const ApiTokenParams = z.object({ id: z.uuid() });

export const ProfilePatch = z
  .object({
    displayName: z.string().trim().min(1).max(200).nullable().optional(),
    timeZone: z
      .string()
      .min(1)
      .max(100)
      .nullable()
      .optional()
      .describe('IANA name (Europe/Berlin); null: the browser’s'),
    digestTime: z
      .string()
      .regex(/^([01][0-9]|2[0-3]):[0-5][0-9]$/, 'a time of day as HH:MM, 00:00 to 23:59')
      .nullable()
      .optional()
      .describe('Local time of the daily digest (HH:MM, in your time zone, else UTC); null: no digest'),
  })
  .strict();
