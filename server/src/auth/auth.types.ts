import type { UserRole } from '../db/schema.ts';

// Who is asking, as every route sees it. Declared on Fastify's request, and each route's config says who may ask.

/** `public`: anyone; `signed-in`: a viewer or an admin; `admin`: admins only. */
export type Access = 'public' | 'signed-in' | 'admin';

export interface AuthUser {
  id: string;
  email: string;
  displayName: string | null;
  role: UserRole;
  /** IANA name; null: the browser's own. */
  timeZone: string | null;
  /** Local time of the daily digest (HH:MM); null: none. */
  digestTime: string | null;
}

export type RequestAuth =
  /** A browser's session cookie; `sessionId` is the stored hash, never the cookie value. */
  | { kind: 'session'; user: AuthUser; sessionId: string; csrfToken: string }
  | { kind: 'token'; user: AuthUser; tokenId: string; tokenScope: 'read' | 'full' }
  /** Demo mode, a request with no cookie and no token: the demo admin. */
  | { kind: 'demo'; user: AuthUser };

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the sign-in guard before any handler runs; null for an anonymous request. */
    auth: RequestAuth | null;
  }
  interface FastifyInstance {
    /** Who sent the request (session cookie, API token, or the demo admin), for public routes that care. */
    identify(request: FastifyRequest): Promise<RequestAuth | null>;
    /** Every /api route registered, with its access. */
    apiRoutes: ReadonlyArray<{ method: string; url: string; access: Access }>;
  }
  interface FastifyContextConfig {
    /** Every /api route says who may call it; the app refuses to start with a route that does not. */
    access?: Access;
  }
}
