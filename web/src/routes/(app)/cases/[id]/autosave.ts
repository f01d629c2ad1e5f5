// Autosave for one text of a case (a section of the plan of action or the appeal, a checklist note): saved
// a moment after typing stops and when the field loses focus, one save at a time, and never at the cost of what
// was typed. A failed save keeps the text as it is in the field and says why; the next keystroke or Retry tries
// again. Plain TypeScript, so its timing can be tested with fake timers; a component mirrors its snapshot.

export type SaveState =
  /** Nothing typed since the text was loaded. */
  | { kind: 'idle' }
  /** Typed; the save waits for typing to stop. */
  | { kind: 'pending' }
  | { kind: 'saving' }
  | { kind: 'saved'; at: number }
  | { kind: 'failed'; reason: string };

export interface AutosaveSnapshot {
  /** The text in the field. */
  value: string;
  state: SaveState;
  /** The field holds text the server does not have yet. */
  dirty: boolean;
}

export interface AutosaveOptions {
  /** The text as the server has it. */
  initial: string;
  /** Sends the text; rejects when it was not saved. */
  save: (text: string) => Promise<void>;
  /** Called on every change of the snapshot. */
  onchange: (snapshot: AutosaveSnapshot) => void;
  /** Why a save failed, in words. */
  explain: (error: unknown) => string;
  /** Quiet time after the last keystroke before saving. */
  delayMs?: number;
  now?: () => number;
}

export const AUTOSAVE_DELAY_MS = 1_500;

export class Autosaver {
  private value: string;
  /** The text the server is known to hold. */
  private saved: string;
  private state: SaveState = { kind: 'idle' };
  private timer: ReturnType<typeof setTimeout> | null = null;
  private inflight: Promise<boolean> | null = null;
  private readonly delayMs: number;
  private readonly now: () => number;

  constructor(private readonly options: AutosaveOptions) {
    this.value = options.initial;
    this.saved = options.initial;
    this.delayMs = options.delayMs ?? AUTOSAVE_DELAY_MS;
    this.now = options.now ?? Date.now;
  }

  snapshot(): AutosaveSnapshot {
    return { value: this.value, state: this.state, dirty: this.dirty };
  }

  /** The field holds text the server does not have yet (or a save of it is under way). */
  get dirty(): boolean {
    return this.value !== this.saved;
  }

  /** Whether anything is still to be saved or being saved. */
  get busy(): boolean {
    return this.dirty || this.inflight !== null;
  }

  /** The user typed: the text is kept at once, and saved once typing stops. */
  input(text: string): void {
    this.value = text;
    this.clearTimer();
    if (this.value === this.saved && this.inflight === null) {
      // Typed back to what is saved: nothing to send. A failure stays said until a save succeeds.
      if (this.state.kind === 'pending') this.state = { kind: 'idle' };
    } else {
      this.timer = setTimeout(() => void this.flush(), this.delayMs);
      if (this.state.kind !== 'saving') this.state = { kind: 'pending' };
    }
    this.emit();
  }

  /**
   * Saves now (on blur, before an export, Retry). Resolves true when the server holds the text as it was when
   * the save ended, false when a save failed.
   */
  async flush(): Promise<boolean> {
    this.clearTimer();
    if (this.inflight) {
      const ok = await this.inflight;
      if (!ok) return false;
      // The save under way has finished, and may already have started the next one.
      return this.flush();
    }
    if (!this.dirty) {
      if (this.state.kind === 'pending') {
        this.state = { kind: 'idle' };
        this.emit();
      }
      return true;
    }
    const text = this.value;
    this.state = { kind: 'saving' };
    this.emit();
    const attempt = this.options.save(text).then(
      () => {
        this.saved = text;
        this.state = { kind: 'saved', at: this.now() };
        return true;
      },
      (error: unknown) => {
        this.state = { kind: 'failed', reason: this.options.explain(error) };
        return false;
      },
    );
    this.inflight = attempt;
    const ok = await attempt;
    this.inflight = null;
    // Typed on while it was saving, and no save waits for typing to stop (the field lost focus meanwhile).
    if (ok && this.dirty) {
      if (this.timer === null) return this.flush();
      this.state = { kind: 'pending' };
    }
    this.emit();
    return ok;
  }

  /**
   * The server's text changed (another save's answer, a notice that filled placeholders in). Taken into the field
   * only when it holds nothing unsaved: typed text is never replaced.
   */
  external(text: string): void {
    if (this.inflight !== null || this.dirty || text === this.value) return;
    this.value = text;
    this.saved = text;
    this.emit();
  }

  /** Replaces the whole text (a revision put back), saved like typing. */
  replace(text: string): void {
    this.input(text);
  }

  dispose(): void {
    this.clearTimer();
  }

  private clearTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private emit(): void {
    this.options.onchange(this.snapshot());
  }
}
