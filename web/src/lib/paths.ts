// Where to send a visitor after signing in. `next` comes from the address bar, so anyone can write a link with
// it: only a path on this site is followed, never another origin (an open redirect to a look-alike sign-in page).

const ORIGIN = 'http://this.site';

/** The same-site path `next` names, or '/' when it names anything else (another site, a scheme, garbage). */
export function safeNext(next: string | null | undefined): string {
  // `//host` and `/\host` are other sites to a browser; control characters can hide either.
  if (!next || !next.startsWith('/') || /^\/[/\\]/.test(next) || /[\u0000-\u001f\\]/.test(next)) return '/';
  let url: URL;
  try {
    url = new URL(next, ORIGIN);
  } catch {
    return '/';
  }
  if (url.origin !== ORIGIN) return '/';
  // Back to the sign-in page would only ask again.
  if (url.pathname === '/sign-in') return '/';
  return url.pathname + url.search + url.hash;
}

/** The sign-in page, asked to come back to `back` (a path and query) afterwards. */
export function signInPath(back: string): string {
  return back === '/' ? '/sign-in' : `/sign-in?next=${encodeURIComponent(back)}`;
}
