import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '@good-standing/server/app.ts';
import { loadConfig, type AppConfig } from '@good-standing/server/config.ts';
import { registerWeb, webBuildDir } from '@good-standing/server/http/web.ts';
import { VERSION } from '@good-standing/server/version.ts';
import { launchBrowser } from '../helpers/browser.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { testDatabaseUrl } from '../helpers/global-setup.ts';

const SCREENSHOTS = fileURLToPath(new URL('./screenshots/', import.meta.url));

let database: TestDatabase;
let config: AppConfig;
let app: Awaited<ReturnType<typeof buildApp>>;
let baseUrl: string;
let browser: Browser;
/** Uncaught errors in the page (a failed hydration, for one) fail the test even when the text looks right. */
let pageErrors: Error[] = [];

async function openPage(width: number, options: { javaScriptEnabled?: boolean } = {}): Promise<Page> {
  const context = await browser.newContext({ viewport: { width, height: 800 }, ...options });
  const page = await context.newPage();
  page.on('pageerror', (error) => pageErrors.push(error));
  const response = await page.goto(baseUrl + '/status');
  expect(response?.status(), 'GET /status status').toBe(200);
  return page;
}

beforeAll(async () => {
  if (!existsSync(join(webBuildDir(), 'handler.js'))) {
    throw new Error(
      `The dashboard is not built (${webBuildDir()} has no handler.js): run \`pnpm build\` first.`,
    );
  }
  mkdirSync(SCREENSHOTS, { recursive: true });
  database = await createTestDatabase('postgres');
  config = loadConfig({ DATABASE_URL: testDatabaseUrl(), DATA_DIR: database.dataDir, LOG_LEVEL: 'silent' });
  app = await buildApp(config, { database });
  baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await database?.destroy();
});

afterEach(() => {
  const errors = pageErrors;
  pageErrors = [];
  expect(errors.map((error) => error.message)).toEqual([]);
});

describe('health page', () => {
  it('shows the API health on a laptop screen', async () => {
    const page = await openPage(1280);

    await expect
      .poll(() => page.getByTestId('status-line').textContent())
      .toBe('The API is running and its database answers.');
    expect(await page.getByRole('link', { name: 'Good Standing' }).isVisible()).toBe(true);
    expect(await page.locator('.badge').textContent()).toBe('Operational');
    expect(await page.getByTestId('database').textContent()).toBe('PostgreSQL');
    expect(await page.getByTestId('version').textContent()).toBe(VERSION);
    expect(await page.getByTestId('mode').textContent()).toBe('Demo');
    expect(await page.title()).toBe('System status · Good Standing');

    await page.screenshot({ path: join(SCREENSHOTS, 'health.png'), fullPage: true });
    await page.context().close();
  });

  it('fits a 375 px phone without horizontal scrolling', async () => {
    const page = await openPage(375);

    expect(await page.getByTestId('database').textContent()).toBe('PostgreSQL');
    // A string expression, because the tests compile without the DOM library.
    const scrollWidth = await page.evaluate<number>('document.documentElement.scrollWidth');
    expect(scrollWidth).toBeLessThanOrEqual(375);

    await page.screenshot({ path: join(SCREENSHOTS, 'health-mobile.png'), fullPage: true });
    await page.context().close();
  });

  it('renders the health answer on the server (SSR fetches the API over the same origin)', async () => {
    const page = await openPage(1280, { javaScriptEnabled: false });

    expect(await page.getByTestId('status-line').textContent()).toBe(
      'The API is running and its database answers.',
    );
    expect(await page.getByTestId('database').textContent()).toBe('PostgreSQL');
    await page.context().close();
  });

  it('says the API is unreachable when the health check gets no answer', async () => {
    const page = await openPage(1280);
    // Only the browser's own requests are cut: the page is hydrated, then the re-check fails in the browser.
    await page.route('**/api/health', (route) => route.abort('connectionrefused'));

    await page.getByRole('button', { name: 'Check again' }).click();

    await expect.poll(() => page.getByTestId('status-line').textContent()).toBe('The API is unreachable.');
    expect(await page.locator('.badge').textContent()).toBe('Unreachable');
    expect(await page.getByTestId('health-error').textContent()).toContain('No answer from the API');
    await page.screenshot({ path: join(SCREENSHOTS, 'health-unreachable.png'), fullPage: true });
    await page.context().close();
  });
});

describe('routing between the API and the dashboard', () => {
  it('keeps the JSON 404 for unknown API paths', async () => {
    const response = await fetch(baseUrl + '/api/no-such-route');
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toMatch(/application\/json/);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('NOT_FOUND');
  });

  it('lets the dashboard answer unknown pages with its own 404 page', async () => {
    const response = await fetch(baseUrl + '/no-such-page');
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toMatch(/text\/html/);
    expect(await response.text()).toContain('Page not found');
  });

  it('answers HEAD for pages', async () => {
    const response = await fetch(baseUrl + '/status', { method: 'HEAD' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/text\/html/);
  });

  it('explains how to build the dashboard when the build is missing, and keeps the API working', async () => {
    const server = await buildApp(config, { database, web: false });
    await registerWeb(server, { buildDir: mkdtempSync(join(tmpdir(), 'gs-no-build-')) });

    const page = await server.inject({ method: 'GET', url: '/' });
    expect(page.statusCode).toBe(503);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.body).toContain('pnpm build');

    const api = await server.inject({ method: 'GET', url: '/api/nothing' });
    expect(api.statusCode).toBe(404);
    expect(api.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
    await server.close();
  });
});
