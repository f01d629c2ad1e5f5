import type { Session } from '$lib/api';

// Kit reads its App.* types from here.
declare global {
  namespace App {
    interface Locals {
      /** Who this request is from (hooks.server.ts asks the API once per request); null when signed out. */
      session: Session | null;
      /** Set when the API gave no answer about the session: pages say so instead of sending to sign-in. */
      apiUnavailable: string | null;
    }
    interface PageData {
      session: Session | null;
    }
  }
}

export {};
