import type { Autosaver } from './autosave';

// The texts of the page that save themselves: flushed before an export, a notice that rewrites the sections, or
// leaving the page, so what was typed reaches the server first.

export class Editors {
  private readonly savers = new Set<Autosaver>();

  add(saver: Autosaver): () => void {
    this.savers.add(saver);
    return () => this.savers.delete(saver);
  }

  /** Anything typed and not yet saved, or a save under way. */
  get busy(): boolean {
    return [...this.savers].some((s) => s.busy);
  }

  /** A save failed and its text is still not saved. */
  get failed(): boolean {
    return [...this.savers].some((s) => s.busy && s.snapshot().state.kind === 'failed');
  }

  /** Saves everything now; false when any save failed (its field says why). */
  async flushAll(): Promise<boolean> {
    const results = await Promise.all([...this.savers].map((s) => s.flush()));
    return results.every(Boolean);
  }
}
