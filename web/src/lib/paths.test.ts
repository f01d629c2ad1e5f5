import { describe, expect, it } from 'vitest';
import { safeNext, signInPath } from './paths.ts';

describe('safeNext', () => {
  it('follows a path on this site, with its query and fragment', () => {
    expect(safeNext('/settings/users')).toBe('/settings/users');
    expect(safeNext('/alerts?state=firing#top')).toBe('/alerts?state=firing#top');
  });

  it.each([
    ['nothing', null],
    ['an empty string', ''],
    ['another origin', 'https://evil.example/sign-in'],
    ['a protocol-relative URL', '//evil.example'],
    ['a backslash the browser reads as a slash', '/\\evil.example'],
    ['a backslash further in', '/a\\..\\..\\evil'],
    ['a tab hiding a second slash', '/\t/evil.example'],
    ['a scheme', 'javascript:alert(1)'],
    ['a relative path', 'settings'],
    ['the sign-in page itself', '/sign-in?next=/x'],
  ])('goes to the overview for %s', (_, next) => {
    expect(safeNext(next)).toBe('/');
  });

  it('resolves dot segments before deciding', () => {
    expect(safeNext('/settings/../cases')).toBe('/cases');
  });
});

describe('signInPath', () => {
  it('asks to come back to the page and its query', () => {
    expect(signInPath('/settings/users?x=1')).toBe('/sign-in?next=%2Fsettings%2Fusers%3Fx%3D1');
  });

  it('leaves next out for the overview', () => {
    expect(signInPath('/')).toBe('/sign-in');
  });

  it('round-trips through safeNext', () => {
    const path = signInPath('/cases?open=1');
    expect(safeNext(new URL(path, 'http://h').searchParams.get('next'))).toBe('/cases?open=1');
  });
});
