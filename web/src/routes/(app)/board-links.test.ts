import { describe, expect, it } from 'vitest';
import type { Board } from '$lib/api';
import { boardHref, sortHref } from './board-links';

const base: Board['query'] = { q: '', standing: [], marketplace: null, sort: 'worst', dir: 'asc' };

describe('boardHref', () => {
  it('leaves defaults out, so the plain overview is /', () => {
    expect(boardHref(base, {})).toBe('/');
  });

  it('keeps the filters and goes back to the first page when one changes', () => {
    const filtered = {
      ...base,
      q: 'north',
      standing: ['suspended', 'at_risk'] as Board['query']['standing'],
    };
    expect(boardHref(filtered, { marketplace: 'ATVPDKIKX0DER' })).toBe(
      '/?q=north&standing=suspended%2Cat_risk&marketplace=ATVPDKIKX0DER',
    );
    expect(boardHref(filtered, { page: 3 })).toBe('/?q=north&standing=suspended%2Cat_risk&page=3');
  });
});

describe('sortHref', () => {
  it('starts a column in its own order, then turns it round', () => {
    expect(sortHref(base, 'odr_mfn')).toBe('/?sort=odr_mfn');
    const sorted = { ...base, sort: 'odr_mfn' as const, dir: 'desc' as const };
    expect(sortHref(sorted, 'odr_mfn')).toBe('/?sort=odr_mfn&dir=asc');
    expect(sortHref({ ...sorted, dir: 'asc' }, 'odr_mfn')).toBe('/?sort=odr_mfn');
    expect(sortHref(base, 'worst')).toBe('/?dir=desc');
    expect(sortHref(sorted, 'name')).toBe('/?sort=name');
  });
});
