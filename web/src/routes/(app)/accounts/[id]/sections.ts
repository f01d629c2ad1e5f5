import { api, ApiError, type Fetch } from '$lib/api';

/** A part of the page loaded on its own: its data, or why it could not be had, which that part then says. */
export type Section<T> = { ok: true; value: T } | { ok: false; problem: string };

/**
 * Reads one part of the page. A failure shows in that part alone, so a history that could not be read does not
 * take the charts down with it; anything but an answer from the API is a bug and fails the page.
 */
export async function section<T>(fetch: Fetch, path: string): Promise<Section<T>> {
  try {
    return { ok: true, value: await api<T>(fetch, path) };
  } catch (error) {
    if (error instanceof ApiError) return { ok: false, problem: error.message };
    throw error;
  }
}
