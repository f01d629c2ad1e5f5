import { problemOf } from './api';

/**
 * A change a form or button makes: whether it is under way (its controls stay off meanwhile) and the problem it
 * last ended with, in words for the page.
 */
export class Pending {
  busy = $state(false);
  problem = $state<string | null>(null);

  constructor(private readonly explain: (error: unknown) => string = problemOf) {}

  /** Runs `work`; false when it failed, and `problem` then says why. */
  async run(work: () => Promise<unknown>): Promise<boolean> {
    this.busy = true;
    this.problem = null;
    try {
      await work();
      return true;
    } catch (error) {
      this.problem = this.explain(error);
      return false;
    } finally {
      this.busy = false;
    }
  }
}
