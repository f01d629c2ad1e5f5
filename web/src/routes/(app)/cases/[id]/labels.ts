import type { CaseStatus } from '$lib/api';

// The workspace's own words: what each status button does.

export const MOVE_TO: Record<CaseStatus, string> = {
  draft: 'Back to draft',
  ready: 'Mark ready to submit',
  submitted: 'Mark submitted to Amazon',
  more_info_requested: 'Amazon asked for more information',
  reinstated: 'Mark reinstated',
  denied: 'Mark denied',
};

/** Statuses that close the case: its plan of action and appeal can no longer change. */
export const CLOSING: ReadonlySet<CaseStatus> = new Set(['reinstated', 'denied']);

/** Who did something: you, another user (by email), or the app itself. */
export function who(user: string | null, me: string | undefined): string {
  if (user === null) return 'Good Standing';
  return user === me ? 'you' : user;
}
