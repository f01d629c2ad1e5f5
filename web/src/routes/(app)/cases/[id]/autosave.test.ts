import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Autosaver, type AutosaveSnapshot } from './autosave.ts';

/** A save the test settles by hand. */
function deferredSaves() {
  const calls: Array<{ text: string; resolve: () => void; reject: (e: unknown) => void }> = [];
  const save = (text: string) =>
    new Promise<void>((resolve, reject) => {
      calls.push({ text, resolve, reject });
    });
  return { calls, save };
}

function saver(save: (text: string) => Promise<void>, initial = 'draft') {
  const seen: AutosaveSnapshot[] = [];
  const s = new Autosaver({
    initial,
    save,
    onchange: (snap) => seen.push(snap),
    explain: (e) => (e instanceof Error ? e.message : 'failed'),
    now: () => 1_000,
  });
  return { s, seen, last: () => seen[seen.length - 1]! };
}

describe('autosave', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('saves 1.5 s after typing stops, once', async () => {
    const saves = deferredSaves();
    const { s, last } = saver(saves.save);
    s.input('d');
    await vi.advanceTimersByTimeAsync(1_000);
    s.input('dr');
    await vi.advanceTimersByTimeAsync(1_000);
    s.input('dra');
    expect(last().state.kind).toBe('pending');
    await vi.advanceTimersByTimeAsync(1_499);
    expect(saves.calls).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(saves.calls.map((c) => c.text)).toEqual(['dra']);
    expect(last().state.kind).toBe('saving');
    saves.calls[0]!.resolve();
    await vi.advanceTimersByTimeAsync(0);
    expect(last()).toEqual({ value: 'dra', state: { kind: 'saved', at: 1_000 }, dirty: false });
  });

  it('saves at once on blur, and not again when nothing changed', async () => {
    const save = vi.fn(() => Promise.resolve());
    const { s, last } = saver(save);
    s.input('typed');
    await s.flush();
    expect(save).toHaveBeenCalledExactlyOnceWith('typed');
    await vi.advanceTimersByTimeAsync(5_000);
    await s.flush();
    expect(save).toHaveBeenCalledTimes(1);
    expect(last().state.kind).toBe('saved');
  });

  it('sends nothing for text typed back to what is saved', async () => {
    const save = vi.fn(() => Promise.resolve());
    const { s, last } = saver(save);
    s.input('draftx');
    s.input('draft');
    await vi.advanceTimersByTimeAsync(3_000);
    expect(save).not.toHaveBeenCalled();
    expect(last()).toEqual({ value: 'draft', state: { kind: 'idle' }, dirty: false });
  });

  it('keeps the typed text when a save fails, says why, and saves it on retry', async () => {
    const saves = deferredSaves();
    const { s, last } = saver(saves.save);
    s.input('my root cause');
    await vi.advanceTimersByTimeAsync(1_500);
    saves.calls[0]!.reject(new Error('No answer from the API'));
    await vi.advanceTimersByTimeAsync(0);
    expect(last()).toEqual({
      value: 'my root cause',
      state: { kind: 'failed', reason: 'No answer from the API' },
      dirty: true,
    });
    // The server's (older) text does not replace what was typed.
    s.external('draft');
    expect(s.snapshot().value).toBe('my root cause');

    const retried = s.flush();
    expect(saves.calls.map((c) => c.text)).toEqual(['my root cause', 'my root cause']);
    saves.calls[1]!.resolve();
    expect(await retried).toBe(true);
    expect(last().state.kind).toBe('saved');
  });

  it('saves again what was typed while a save was under way', async () => {
    const saves = deferredSaves();
    const { s, last } = saver(saves.save);
    s.input('one');
    const first = s.flush();
    s.input('one two');
    expect(last().state.kind).toBe('saving');
    saves.calls[0]!.resolve();
    await first;
    // The newer text waits for typing to stop, then goes.
    expect(last()).toMatchObject({ value: 'one two', state: { kind: 'pending' }, dirty: true });
    await vi.advanceTimersByTimeAsync(1_500);
    expect(saves.calls.map((c) => c.text)).toEqual(['one', 'one two']);
    saves.calls[1]!.resolve();
    await vi.advanceTimersByTimeAsync(0);
    expect(last()).toMatchObject({ value: 'one two', state: { kind: 'saved' }, dirty: false });
  });

  it('a flush during a save waits for it and saves the newer text after', async () => {
    const saves = deferredSaves();
    const { s } = saver(saves.save);
    s.input('a');
    const first = s.flush();
    s.input('ab');
    const second = s.flush();
    saves.calls[0]!.resolve();
    await vi.advanceTimersByTimeAsync(0);
    expect(saves.calls.map((c) => c.text)).toEqual(['a', 'ab']);
    saves.calls[1]!.resolve();
    expect(await first).toBe(true);
    expect(await second).toBe(true);
    expect(s.snapshot()).toMatchObject({ value: 'ab', dirty: false });
  });

  it("takes the server's new text only when nothing typed is unsaved", async () => {
    const save = vi.fn(() => Promise.resolve());
    const { s } = saver(save, 'ASINs: [[the ASINs]]');
    s.external('ASINs: B0BX7Z1Q4M');
    expect(s.snapshot()).toEqual({ value: 'ASINs: B0BX7Z1Q4M', state: { kind: 'idle' }, dirty: false });
    s.input('ASINs: B0BX7Z1Q4M and more');
    s.external('ASINs: B0BX7Z1Q4M');
    expect(s.snapshot().value).toBe('ASINs: B0BX7Z1Q4M and more');
    expect(s.busy).toBe(true);
    await s.flush();
    expect(save).toHaveBeenCalledExactlyOnceWith('ASINs: B0BX7Z1Q4M and more');
    expect(s.busy).toBe(false);
  });
});
