// The dashboard's pages on the read-side bench's data (read-side.ts runs this while its server is up): the
// overview's server render with the API calls it makes, timed over HTTP; then, in Chromium, the JavaScript each
// page loads, the overview's largest contentful paint and the time until the account page's charts are drawn.
// Prints nothing itself: it hands back the rows of the pages' table. A figure that cannot be measured (a page
// missing from the build, a chart never drawn) says why in its row instead of ending the bench.

import { gzipSync } from 'node:zlib';
import { launchBrowser } from '../../tests/helpers/browser.ts';

/** Fresh loads of each page in Chromium, each in a new context so that nothing is cached. */
const LOADS = 5;
const WIDTH = 1280;
/** How long a load may take to draw its charts, or to go quiet on the network, before the figure is given up. */
const LOAD_TIMEOUT_MS = 20_000;
const CHART = 'figure[data-testid="metric-chart"]';
const BOARD = 'data-testid="board"';

type Browser = Awaited<ReturnType<typeof launchBrowser>>;
type Page = Awaited<ReturnType<Browser['newPage']>>;

/** A signed-in visitor's session cookie. */
export interface SessionCookie {
  name: string;
  value: string;
}

export interface Timing {
  p50: number;
  p95: number;
  /** The server's CPU time per request. */
  serverCpuMs: number;
}

export interface PagesInput {
  /** The server's origin, `http://127.0.0.1:<port>`. */
  base: string;
  session: SessionCookie;
  /** A seeded account, for its page. */
  accountId: string;
  clients: number;
  /** Pages rendered at `clients` at once; two fifths as many follow for one client alone. */
  requests: number;
  /** Times `total` GETs of `url` from `clients` clients at once, sending `headers`; fails on any answer but 200. */
  time: (url: string, clients: number, total: number, headers: Record<string, string>) => Promise<Timing>;
}

export interface PagesResult {
  /** figure, goal, measured */
  rows: string[][];
  /** What the reader should know about the figures, one line each. */
  notes: string[];
}

/** Signs in through POST /api/auth/sign-in as the dashboard does, and returns the session cookie it set. */
export async function signIn(base: string, email: string, password: string): Promise<SessionCookie> {
  const res = await fetch(`${base}/api/auth/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (res.status !== 200) throw new Error(`sign-in answered ${res.status}: ${await res.text()}`);
  await res.arrayBuffer();
  for (const line of res.headers.getSetCookie()) {
    const [name, value] = line.split(';', 1)[0]!.split('=', 2);
    if (name === 'gs_session' && value) return { name, value };
  }
  throw new Error('sign-in set no session cookie');
}

const ms = (n: number) => `${n.toFixed(1)} ms`;
const s = (n: number) => `${(n / 1000).toFixed(2)} s`;
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)]!;
const notMeasured = (error: unknown) =>
  `not measured: ${(error instanceof Error ? error.message : String(error)).split('\n', 1)[0]!.slice(0, 240)}`;

export async function measurePages(input: PagesInput): Promise<PagesResult> {
  const { base, session, accountId } = input;
  const cookie = `${session.name}=${session.value}`;
  const notes: string[] = [];
  const rows: string[][] = [];

  // The overview as the signed-in visitor gets it: a page, not a redirect to sign in.
  const overview = await fetch(`${base}/`, { headers: { cookie }, redirect: 'manual' });
  const html = await overview.text();
  const overviewProblem =
    overview.status === 200
      ? undefined
      : `GET / answered ${overview.status}${overview.headers.get('location') ? ` to ${overview.headers.get('location')}` : ''}`;
  if (!overviewProblem && !html.includes(BOARD))
    notes.push(`the overview has no ${BOARD} table in this build: its figures are of the page as it is`);

  const serverRender = async (clients: number, total: number) => {
    if (overviewProblem) throw new Error(overviewProblem);
    const t = await input.time(`${base}/`, clients, total, { cookie });
    return `p50 ${ms(t.p50)}, p95 ${ms(t.p95)} (server CPU ${ms(t.serverCpuMs)} a page)`;
  };
  const rendered = { many: '', one: '' };
  try {
    await input.time(`${base}/`, 2, 10, { cookie });
    rendered.many = await serverRender(input.clients, input.requests);
    rendered.one = await serverRender(1, Math.max(20, Math.round(input.requests * 0.4)));
  } catch (error) {
    rendered.many ||= notMeasured(error);
    rendered.one ||= notMeasured(error);
  }

  const account = await fetch(`${base}/accounts/${accountId}`, { headers: { cookie }, redirect: 'manual' });
  await account.arrayBuffer();
  const accountProblem =
    account.status === 200 ? undefined : `GET /accounts/<id> answered ${account.status} in this build`;

  const browser = await launchBrowser().catch((error: unknown) => error as Error);
  const inBrowser = async (problem: string | undefined, measure: (b: Browser) => Promise<string[]>) => {
    try {
      if (problem) throw new Error(problem);
      if (browser instanceof Error) throw new Error(`Chromium did not start: ${browser.message}`);
      return await measure(browser);
    } catch (error) {
      return [notMeasured(error), notMeasured(error)];
    }
  };
  try {
    // One load first, not counted: the browser's own start (its first renderer, its caches on disk) is no page's.
    if (!overviewProblem && !(browser instanceof Error))
      await loadsOf(browser, `${base}/`, base, session, 'load', notes, 1).catch(() => undefined);
    const [overviewJs, lcp] = await inBrowser(overviewProblem, async (b) => {
      const loads = await loadsOf(b, `${base}/`, base, session, 'load', notes);
      return [scriptsFigure(loads[0]!.scripts), spread(loads.map((l) => l.lcp))];
    });
    const [accountJs, drawn] = await inBrowser(accountProblem, async (b) => {
      const loads = await loadsOf(b, `${base}/accounts/${accountId}`, base, session, 'charts', notes);
      return [scriptsFigure(loads[0]!.scripts), spread(loads.map((l) => l.drawnAt))];
    });
    rows.push(
      ['overview page JavaScript (gzipped)', '<= 200 KB', overviewJs!],
      ['account page JavaScript (gzipped)', '<= 300 KB', accountJs!],
      [`overview page, server render + API, ${input.clients} clients`, 'p95 <= 150 ms', rendered.many],
      ['overview page, server render + API, 1 client', 'p95 <= 150 ms', rendered.one],
      [`overview largest contentful paint, ${WIDTH} px`, '<= 1.5 s', lcp!],
      ['account page, every chart drawn', '<= 2 s', drawn!],
    );
  } finally {
    if (!(browser instanceof Error)) await browser.close();
  }
  return { rows, notes };
}

function spread(values: number[]): string {
  return `median ${s(median(values))}, worst ${s(Math.max(...values))} (${values.length} fresh loads)`;
}

function scriptsFigure(scripts: Script[]): string {
  const raw = scripts.reduce((n, x) => n + x.raw, 0);
  const gzipped = scripts.reduce((n, x) => n + x.gzipped, 0);
  return `${kb(gzipped)} in ${scripts.length} files (${kb(raw)} uncompressed)`;
}

interface Script {
  url: string;
  raw: number;
  gzipped: number;
}

interface Load {
  /** Every script file the page fetched, dynamic imports included. */
  scripts: Script[];
  /** Largest contentful paint, ms after navigation start. */
  lcp: number;
  /** When the last chart was drawn, ms after navigation start. */
  drawnAt: number;
}

/**
 * Watches the page from its first byte: the largest contentful paint so far, and the moment every chart figure
 * came to carry data-drawn="true" (reset when a figure appears or goes back to undrawn), both in ms after
 * navigation start. Read once the page is done.
 */
const OBSERVERS = `(() => {
  const marks = (window.__pageMarks = { lcp: null, drawnAt: null });
  new PerformanceObserver((list) => {
    const entries = list.getEntries();
    marks.lcp = entries[entries.length - 1].startTime;
  }).observe({ type: 'largest-contentful-paint', buffered: true });
  const check = () => {
    const figures = document.querySelectorAll(${JSON.stringify(CHART)});
    const drawn = figures.length > 0 && Array.from(figures).every((f) => f.getAttribute('data-drawn') === 'true');
    if (!drawn) marks.drawnAt = null;
    else if (marks.drawnAt === null) marks.drawnAt = performance.now();
  };
  new MutationObserver(check).observe(document, {
    subtree: true,
    childList: true,
    attributes: true,
    attributeFilter: ['data-drawn'],
  });
})()`;

/**
 * `LOADS` loads of `url`, each in a fresh context holding the session, done once the network is quiet (and, for
 * 'charts', the charts are drawn). The page's uncaught errors go to `notes`, once each.
 */
async function loadsOf(
  browser: Browser,
  url: string,
  base: string,
  session: SessionCookie,
  until: 'load' | 'charts',
  notes: string[],
  count = LOADS,
): Promise<Load[]> {
  const path = new URL(url).pathname;
  const loads: Load[] = [];
  for (let i = 0; i < count; i++) {
    const context = await browser.newContext({ viewport: { width: WIDTH, height: 800 } });
    try {
      await context.addCookies([{ ...session, url: base }]);
      await context.addInitScript(OBSERVERS);
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      const bodies = new Map<string, Promise<Script | undefined>>();
      page.on('response', (response) => {
        const type = response.headers()['content-type'] ?? '';
        if (!/javascript/i.test(type) || bodies.has(response.url())) return;
        bodies.set(
          response.url(),
          response.body().then(
            (body) => ({
              url: response.url(),
              raw: body.length,
              gzipped: gzipSync(body, { level: 9 }).length,
            }),
            () => undefined,
          ),
        );
      });
      await page.goto(url, { waitUntil: 'load', timeout: LOAD_TIMEOUT_MS });
      if (new URL(page.url()).pathname !== path)
        throw new Error(`${path} went to ${new URL(page.url()).pathname}`);
      await page
        .waitForLoadState('networkidle', { timeout: LOAD_TIMEOUT_MS })
        .catch(() => errors.push('the network never went quiet'));
      if (until === 'charts') await chartsDrawn(page, errors);
      const marks = await page.evaluate<{ lcp: number | null; drawnAt: number | null }>('window.__pageMarks');
      if (marks.lcp === null) throw new Error('Chromium reported no largest contentful paint');
      const scripts = (await Promise.all(bodies.values())).filter((x): x is Script => x !== undefined);
      loads.push({ scripts, lcp: marks.lcp, drawnAt: marks.drawnAt ?? Number.NaN });
      for (const error of errors) if (!notes.includes(`${path}: ${error}`)) notes.push(`${path}: ${error}`);
    } finally {
      await context.close();
    }
  }
  return loads;
}

/**
 * Waits until the observer saw every chart drawn. Asked through the DevTools protocol (page.evaluate), which the
 * page's Content-Security-Policy does not govern; the moment itself is the observer's, not this loop's.
 */
async function chartsDrawn(page: Page, errors: string[]): Promise<void> {
  const deadline = performance.now() + LOAD_TIMEOUT_MS;
  while (performance.now() < deadline) {
    if (await page.evaluate<boolean>('window.__pageMarks.drawnAt !== null')) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const figures = await page.locator(CHART).count();
  const drawn = await page.locator(`${CHART}[data-drawn="true"]`).count();
  const why = figures === 0 ? `no ${CHART} on the page` : `${drawn} of ${figures} charts drawn`;
  throw new Error(`${why} after ${s(LOAD_TIMEOUT_MS)}${errors.length ? ` (${errors.join('; ')})` : ''}`);
}
