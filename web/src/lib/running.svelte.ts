/**
 * Whether the page's script runs yet. Every change here is made by the script (see `send` in api.ts), so the
 * buttons that make one stay disabled in the server's HTML and until the page is hydrated: a click before that
 * would post the form to nowhere. Set once, by the root layout; never on the server.
 */
export const running = $state({ current: false });
