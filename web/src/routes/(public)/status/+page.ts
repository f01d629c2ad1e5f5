import { api, ApiError, type Health } from '$lib/api';
import type { PageLoad } from './$types';

/** A failed check is page data, not a thrown error: the page itself explains what is wrong. */
export interface HealthFailure {
  status: number;
  code: string;
  message: string;
  unreachable: boolean;
}

export type HealthResult = { ok: true; health: Health } | { ok: false; failure: HealthFailure };

export const load: PageLoad = async ({ fetch, depends }): Promise<{ result: HealthResult }> => {
  depends('app:health');
  try {
    return { result: { ok: true, health: await api<Health>(fetch, '/api/health') } };
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    const { status, code, message, unreachable } = error;
    return { result: { ok: false, failure: { status, code, message, unreachable } } };
  }
};
