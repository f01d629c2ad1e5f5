import { createSubscriber } from 'svelte/reactivity';

// The time the deadline countdowns are read against, moving on every 30 seconds while any countdown is shown: one
// timer for the whole page however many cases it lists, stopped when the last countdown goes.

export const TICK_MS = 30_000;

const subscribe = createSubscriber((update) => {
  const timer = setInterval(update, TICK_MS);
  return () => clearInterval(timer);
});

export const ticker = {
  /** Now, in milliseconds; read inside an effect or a template, it is read again every 30 seconds. */
  get now(): number {
    subscribe();
    return Date.now();
  },
};
