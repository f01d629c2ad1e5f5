import { api, ApiError, problemOf, type PollRunInfo, type RefreshQueued } from '$lib/api';
import { change } from '$lib/changes';
import { reloadUnlessNavigating } from '$lib/reload';

// "Refresh now": asks the API to poll the account, follows the run every second through its phases, then
// reloads the page's data so the charts, tables and poll history include it. The page owns it, so the button can
// move (from the empty state to the header, once the first report is in) without losing the run it follows.

const EVERY_MS = 1_000;
const FINISHED: ReadonlyArray<PollRunInfo['status']> = ['succeeded', 'failed', 'abandoned'];

export const STEPS = [
  'Queued',
  'Requesting the report',
  'Waiting for Amazon',
  'Downloading',
  'Stored',
] as const;

export type Progress = Pick<
  PollRunInfo,
  'status' | 'phase' | 'outcome' | 'durationMs' | 'snapshotsWritten' | 'errorMessage'
>;

/** The step a run is at: 0 queued ... 4 storing; the number of steps once stored; null when it does not say. */
function stepOf(run: Progress): number | null {
  if (run.status === 'succeeded') return STEPS.length;
  if (run.status === 'queued') return 0;
  if (run.status === 'waiting') return 2;
  switch (run.phase) {
    case 'starting':
    case 'requesting_report':
      return 1;
    case 'checking_report':
    case 'waiting_for_amazon':
      return 2;
    case 'downloading':
      return 3;
    case 'ingesting':
      return 4;
    default:
      return run.status === 'running' ? 1 : null;
  }
}

export class Refresh {
  starting = $state(false);
  run = $state<Progress | null>(null);
  /** The furthest step the run was seen at: where a run that failed stopped. */
  reached = $state(0);
  /** The API's reason when the account cannot be polled (it needs reauthorization, is disconnected...). */
  refused = $state<string | null>(null);
  problem = $state<string | null>(null);
  finished = $derived(this.run !== null && FINISHED.includes(this.run.status));
  busy = $derived(this.starting || (this.run !== null && !this.finished));
  private alive = true;

  constructor(private readonly accountId: string) {}

  stop(): void {
    this.alive = false;
  }

  async start(): Promise<void> {
    this.starting = true;
    this.refused = null;
    this.problem = null;
    this.run = null;
    this.reached = 0;
    let runId: string;
    try {
      ({ runId } = await change<RefreshQueued>('POST', `/api/accounts/${this.accountId}/refresh`));
    } catch (error) {
      if (error instanceof ApiError && error.status === 409) this.refused = error.message;
      else this.problem = problemOf(error);
      return;
    } finally {
      this.starting = false;
    }
    this.run = {
      status: 'queued',
      phase: null,
      outcome: null,
      durationMs: null,
      snapshotsWritten: 0,
      errorMessage: null,
    };
    await this.follow(runId);
  }

  private async follow(runId: string): Promise<void> {
    while (this.alive) {
      await new Promise((resolve) => setTimeout(resolve, EVERY_MS));
      if (!this.alive) return;
      let next: PollRunInfo;
      try {
        next = await api<PollRunInfo>(fetch, `/api/poll-runs/${runId}`);
        this.problem = null;
      } catch (error) {
        this.problem = `Could not ask for the poll's progress: ${problemOf(error)}`;
        continue;
      }
      this.reached = Math.max(this.reached, stepOf(next) ?? this.reached);
      if (!FINISHED.includes(next.status)) {
        this.run = next;
        continue;
      }
      // The new figures first, then the result: the page says "done" once it shows them.
      try {
        await reloadUnlessNavigating();
      } catch (error) {
        this.problem = `The poll ended, but the page could not be reloaded: ${problemOf(error)}`;
      }
      this.run = next;
      return;
    }
  }
}
