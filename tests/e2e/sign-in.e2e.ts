import type { Cookie, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { browserSuite } from '../helpers/browser-suite.ts';
import { checkPage, isFocused, WIDTHS } from '../helpers/pages.ts';
import { startServerProcess } from '../helpers/server-process.ts';

// From the first visit to signing out, on the server's own process in live mode (Amazon played by the
// simulator): nobody is signed in by itself, so every step is the user's. The tests run in order and share the
// server: the first creates the admin the others sign in as. The server takes 10 sign-ins a minute from one
// address, so the tests that are not about signing in reuse the session setup or the invite gave.

const ADMIN = { name: 'Ada Admin', email: 'ada@example.com', password: 'correct horse battery staple' };
const VIEWER = { email: 'vic@example.com', password: 'a viewer password 1234' };

let adminCookies: Cookie[] = [];
let viewerCookies: Cookie[] = [];

const { at, newPage } = browserSuite(() => startServerProcess('live'));
const pathOf = (page: Page) => {
  const url = new URL(page.url());
  return url.pathname + url.search;
};

async function signIn(page: Page, who: { email: string; password: string }): Promise<void> {
  await page.getByLabel('Email').fill(who.email);
  await page.getByLabel('Password', { exact: true }).fill(who.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** A page at `path` in the admin's session from setup. */
async function adminAt(path: string, width: number = WIDTHS.desktop): Promise<Page> {
  const page = await newPage(width, { cookies: adminCookies });
  await page.goto(at(path));
  expect(pathOf(page)).toBe(path);
  return page;
}

describe('first run', () => {
  it('sends every page to setup while nobody has an account', async () => {
    const page = await newPage();
    for (const path of ['/', '/alerts', '/settings/users', '/sign-in', '/invite/whatever']) {
      await page.goto(at(path));
      expect(pathOf(page), `opening ${path}`).toBe('/setup');
    }
    await checkPage(page, 'setup');
    const phone = await newPage(WIDTHS.phone);
    await phone.goto(at('/setup'));
    await checkPage(phone, 'setup');
  });

  it('creates the first admin, signed in at once, and closes setup behind them', async () => {
    const page = await newPage();
    await page.goto(at('/setup'));
    await page.getByLabel('Your name').fill(ADMIN.name);
    await page.getByLabel('Email').fill(ADMIN.email);
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Create the admin' }).click();

    await page.waitForURL(at('/'));
    expect(await page.getByRole('link', { name: /Signed in as/ }).textContent()).toContain(ADMIN.name);
    expect(await page.getByTestId('empty-state').textContent()).toContain('No seller accounts yet');

    await page.goto(at('/setup'));
    expect(pathOf(page)).toBe('/');
    adminCookies = await page.context().cookies();
  });
});

describe('signing in and out', () => {
  it('signs in and out, after which pages ask to sign in again', async () => {
    const page = await newPage();
    await page.goto(at('/sign-in'));
    await signIn(page, ADMIN);
    await page.waitForURL(at('/'));
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(at('/sign-in'));
    await page.goto(at('/cases'));
    expect(pathOf(page)).toBe('/sign-in?next=%2Fcases');
  });

  it('answers a wrong password and an unknown email with the same words, inline', async () => {
    const page = await newPage();
    await page.goto(at('/sign-in'));
    await checkPage(page, 'sign-in');
    await signIn(page, { email: ADMIN.email, password: 'not the password at all' });
    const problem = page.locator('#sign-in-problem');
    await expect.poll(() => problem.textContent()).toBe('Email or password is wrong.');
    expect(await page.getByLabel('Email').getAttribute('aria-invalid')).toBe('true');
    expect(pathOf(page)).toBe('/sign-in');
    await checkPage(page, 'sign-in-wrong-password');

    await signIn(page, { email: 'nobody@example.com', password: ADMIN.password });
    await expect.poll(() => problem.textContent()).toBe('Email or password is wrong.');

    const phone = await newPage(WIDTHS.phone);
    await phone.goto(at('/sign-in'));
    await checkPage(phone, 'sign-in');
    await signIn(phone, { email: ADMIN.email, password: 'not the password either' });
    await expect
      .poll(() => phone.locator('#sign-in-problem').textContent())
      .toBe('Email or password is wrong.');
    await checkPage(phone, 'sign-in-wrong-password');
  });

  it('brings a signed-out visitor back to the page they opened', async () => {
    const page = await newPage();
    await page.goto(at('/settings/tokens?from=mail'));
    expect(pathOf(page)).toBe('/sign-in?next=%2Fsettings%2Ftokens%3Ffrom%3Dmail');
    await signIn(page, ADMIN);
    await page.waitForURL(at('/settings/tokens?from=mail'));
  });

  it('never follows `next` to another site (web/src/lib/paths.test.ts has the other spellings)', async () => {
    const page = await newPage();
    await page.goto(at(`/sign-in?next=${encodeURIComponent('//evil.example/')}`));
    await signIn(page, ADMIN);
    await page.waitForURL(at('/'));
  });
});

describe('users and roles', () => {
  let inviteLink: string;

  it('an admin invites a viewer and sees the link once', async () => {
    const page = await adminAt('/settings/users');
    await page.getByLabel('Email').fill(VIEWER.email);
    expect(await page.getByLabel('Role').inputValue()).toBe('viewer');
    await page.getByRole('button', { name: 'Create invite link' }).click();

    inviteLink = await page.getByLabel(`Invite link for ${VIEWER.email}`).inputValue();
    expect(inviteLink.startsWith(at('/invite/'))).toBe(true);
    await expect.poll(() => page.getByTestId('user').count()).toBe(2);
    await checkPage(page, 'users-invited');

    await page.getByRole('button', { name: 'Done' }).click();
    expect(await page.getByTestId('shown-once').count()).toBe(0);
  });

  it('the invited viewer chooses a password and is signed in', async () => {
    const page = await newPage();
    await page.goto(inviteLink);
    expect(await page.getByTestId('invite-email').textContent()).toBe(VIEWER.email);
    await checkPage(page, 'invite');
    const phone = await newPage(WIDTHS.phone);
    await phone.goto(inviteLink);
    await checkPage(phone, 'invite');

    await page.getByLabel('Password', { exact: true }).fill(VIEWER.password);
    await page.getByLabel('The same password again').fill(VIEWER.password);
    await page.getByRole('button', { name: 'Set password and sign in' }).click();
    await page.waitForURL(at('/'));
    expect(await page.getByRole('link', { name: /Signed in as/ }).textContent()).toContain(VIEWER.email);
    viewerCookies = await page.context().cookies();

    await page.goto(inviteLink);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(
      'This invite link does not work',
    );
  });

  it('a viewer sees no admin controls and gets a 403 page on admin pages', async () => {
    const page = await newPage(WIDTHS.desktop, { cookies: viewerCookies });
    await page.goto(at('/settings/accounts'));
    expect(await page.getByRole('button', { name: 'Connect an Amazon account' }).count()).toBe(0);
    const sections = page.getByRole('navigation', { name: 'Settings' }).getByRole('link');
    expect(await sections.allTextContents()).toEqual(['Seller accounts', 'Notifications', 'Your profile']);

    for (const path of ['/settings/users', '/settings/tokens']) {
      const response = await page.goto(at(path));
      expect(response?.status(), path).toBe(403);
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(
        'You don’t have access to this page',
      );
    }
    await checkPage(page, 'forbidden');
    const phone = await newPage(WIDTHS.phone, { cookies: viewerCookies });
    await phone.goto(at('/settings/users'));
    await checkPage(phone, 'forbidden');
  });
});

describe('API tokens', () => {
  it('an admin creates a read-only token, shown once, that reads the API until it is revoked', async () => {
    const page = await adminAt('/settings/tokens');
    await page.getByLabel('Name').fill('Grafana');
    expect(await page.getByLabel(/Read-only/).isChecked()).toBe(true);
    await page.getByRole('button', { name: 'Create token' }).click();

    const token = await page.getByLabel('Token “Grafana”').inputValue();
    const read = () => fetch(at('/api/accounts'), { headers: { authorization: `Bearer ${token}` } });
    expect((await read()).status).toBe(200);
    await checkPage(page, 'tokens-created');
    await page.getByRole('button', { name: 'Done' }).click();
    await expect.poll(() => page.getByTestId('token').textContent()).toContain('Read-only');

    // From the keyboard: the dialog takes focus, Escape gives it back to the button, Enter opens it again.
    const revoke = page.getByRole('button', { name: 'Revoke Grafana' });
    await revoke.focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Revoke “Grafana”?' });
    await expect.poll(() => dialog.isVisible()).toBe(true);
    expect(await page.evaluate<boolean>('!!document.activeElement.closest("dialog")')).toBe(true);
    await checkPage(page, 'tokens-revoke-dialog');
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog.isVisible()).toBe(false);
    expect(await isFocused(revoke)).toBe(true);

    await page.keyboard.press('Enter');
    await dialog.getByRole('button', { name: 'Revoke' }).click();
    await expect.poll(() => page.getByTestId('token').count()).toBe(0);
    expect((await read()).status).toBe(401);
  });
});

describe('every page', () => {
  const PAGES = [
    ['overview', '/'],
    ['alerts', '/alerts'],
    ['cases', '/cases'],
    ['accounts', '/settings/accounts'],
    ['users', '/settings/users'],
    ['tokens', '/settings/tokens'],
    ['profile', '/settings/profile'],
    ['status', '/status'],
  ] as const;

  it.each(Object.values(WIDTHS))('passes axe and fits the screen at %i px', async (width) => {
    const page = await adminAt('/', width);
    for (const [name, path] of PAGES) {
      const response = await page.goto(at(path));
      expect(response?.status(), path).toBe(200);
      expect(response?.headers()['content-security-policy']).toMatch(/script-src 'self' 'sha256-/);
      await checkPage(page, name);
    }
    await page.goto(at('/settings/accounts'));
    await page.getByRole('button', { name: 'Connect an Amazon account' }).click();
    await checkPage(page, 'accounts-connect');

    const missing = await page.goto(at('/no-such-page'));
    expect(missing?.status()).toBe(404);
    await checkPage(page, 'not-found');
  });

  it('starts with a skip link that takes keyboard users past the header', async () => {
    const page = await adminAt('/settings/accounts');
    await page.keyboard.press('Tab');
    const skip = page.getByRole('link', { name: 'Skip to content' });
    expect(await isFocused(skip)).toBe(true);
    expect((await skip.boundingBox())?.y).toBeGreaterThanOrEqual(0);
    await page.keyboard.press('Enter');
    expect(await page.evaluate<string>('document.activeElement.id')).toBe('main');

    // The next stop is in the page, and focus shows.
    await page.keyboard.press('Tab');
    const outline = await page.evaluate<string>('getComputedStyle(document.activeElement).outlineStyle');
    expect(outline).not.toBe('none');
  });
});

describe('your profile', () => {
  it('keeps the time zone you choose, and goes back to the browser’s', async () => {
    const page = await adminAt('/settings/profile');
    const zone = page.getByRole('combobox', { name: 'Time zone' });
    // The time-zone form's own Save: the digest has one too.
    const save = page.locator('form.zone').getByRole('button', { name: 'Save' });
    await zone.selectOption('Europe/Berlin');
    await save.click();
    await expect.poll(() => page.locator('#zone-saved').textContent()).toBe('Saved.');
    const session = await page.request.get(at('/api/auth/session'));
    expect((await session.json()).user.timeZone).toBe('Europe/Berlin');
    await page.reload();
    expect(await page.getByRole('combobox', { name: 'Time zone' }).inputValue()).toBe('Europe/Berlin');
    await page.getByRole('combobox', { name: 'Time zone' }).selectOption('');
    await page.locator('form.zone').getByRole('button', { name: 'Save' }).click();
    await expect
      .poll(async () => (await (await page.request.get(at('/api/auth/session'))).json()).user.timeZone)
      .toBeNull();
  });
});

// Last: it ends the admin session the other tests use.
describe('signing out everywhere', () => {
  it('signs out everywhere: another browser signed in as the same user is signed out too', async () => {
    const elsewhere = await newPage();
    await elsewhere.goto(at('/alerts'));
    await signIn(elsewhere, ADMIN);
    await elsewhere.waitForURL(at('/alerts'));
    const page = await adminAt('/settings/profile');
    await page.getByRole('button', { name: 'Sign out everywhere' }).click();
    await page.waitForURL(at('/sign-in'));

    await elsewhere.getByRole('link', { name: 'Cases' }).click();
    await elsewhere.waitForURL(at('/sign-in?next=%2Fcases'));
  });
});
