import type { Board } from '$lib/api';

type Query = Board['query'];

/** Each order's own direction, as the API has it: the worst first. */
function defaultDir(sort: Query['sort']): Query['dir'] {
  return ['worst', 'name', 'marketplace', 'ahr', 'freshness'].includes(sort) ? 'asc' : 'desc';
}

/**
 * The overview's address for a query: what the board shows is all in the URL, so a view can be bookmarked,
 * shared and reloaded, and sorting and paging work as plain links before the page's script runs.
 * Defaults are left out; changing a filter or the order goes back to the first page.
 */
export function boardHref(query: Query, change: Partial<Query & { page: number }>): string {
  const sort = change.sort ?? query.sort;
  const dir = change.dir ?? (sort === query.sort ? query.dir : defaultDir(sort));
  const next = { ...query, page: 1, ...change, sort, dir };
  const params = new URLSearchParams();
  if (next.q) params.set('q', next.q);
  if (next.standing.length > 0) params.set('standing', next.standing.join(','));
  if (next.marketplace) params.set('marketplace', next.marketplace);
  if (next.sort !== 'worst') params.set('sort', next.sort);
  if (next.dir !== defaultDir(next.sort)) params.set('dir', next.dir);
  if (next.page > 1) params.set('page', String(next.page));
  const search = params.toString();
  return search ? `/?${search}` : '/';
}

/** The link of a column header: its own order first, the other way round when clicked again. */
export function sortHref(query: Query, sort: Query['sort']): string {
  if (query.sort !== sort) return boardHref(query, { sort });
  return boardHref(query, { dir: query.dir === 'asc' ? 'desc' : 'asc' });
}
