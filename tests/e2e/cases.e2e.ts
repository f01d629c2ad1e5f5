import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { AlertList, CaseDetail, CaseSummary, SellerAccount } from '@good-standing/server/api-types.ts';
import { DEMO_ACCOUNTS } from '@good-standing/server/simulator/index.ts';
import { browserSuite } from '../helpers/browser-suite.ts';
import { checkPage, WIDTHS } from '../helpers/pages.ts';
import { freePort } from '../helpers/processes.ts';
import { startServerProcess } from '../helpers/server-process.ts';

// A reinstatement case in demo mode: the suspension seller's marketplace is deactivated (the simulator's clock is
// moved on until its report says so), which opens its case by itself. The case is reached from its alert and
// worked in the browser: Amazon's notice pasted in, a placeholder of the root cause filled (autosaved), a PDF
// uploaded, the Markdown downloaded, then the print view. One server, the tests in order.

const suspended = DEMO_ACCOUNTS.find((a) => a.scenario === 'suspension')!;
const ASINS = ['B0CSUMT1A7', 'B0DVITA9X2'];
const NOTICE = `Hello from Amazon,

Your selling privileges have been deactivated because we received customer complaints that products in your inventory are inauthentic. Selling counterfeit products is prohibited under our Product Authenticity policy.

ASIN(s): ${ASINS.join(', ')}

How do I reactivate my account?
Please send us invoices from your suppliers and a plan of action. If you do not submit an appeal within 17 days, your account will be permanently deactivated.

Amazon Seller Performance`;
const SUPPLIER = 'Vitality Wholesale Ltd, the brand’s authorized distributor';

let simulatorUrl: string;
let accountId: string;
let alertId: string;
let caseId: string;

const { at, newPage } = browserSuite(async () => {
  const simulatorPort = await freePort();
  simulatorUrl = `http://127.0.0.1:${simulatorPort}`;
  return startServerProcess('demo', { SIMULATOR_PORT: String(simulatorPort) });
});

async function getJson<T>(page: Page, path: string): Promise<T> {
  const res = await page.request.get(at(path));
  expect(res.status(), await res.text()).toBe(200);
  return (await res.json()) as T;
}

describe('a reinstatement case', () => {
  it('opens by itself when the marketplace is deactivated, and is reached from its alert', async () => {
    const page = await newPage();
    await page.goto(at('/alerts'));
    const accounts = await getJson<SellerAccount[]>(page, '/api/accounts');
    accountId = accounts.find((a) => a.sellerId === suspended.sellerId)!.id;

    // The demo opens on the scenario's 6th day; the marketplace is deactivated from its 9th.
    const deactivated = async () =>
      (await getJson<SellerAccount>(page, `/api/accounts/${accountId}`)).marketplaces.some(
        (m) => m.accountStatus === 'DEACTIVATED',
      );
    // The demo's first poll must have ended first: a refresh asked for while it runs is that same poll, whose
    // report was requested before the clock moved.
    await expect
      .poll(
        async () =>
          (await getJson<SellerAccount>(page, `/api/accounts/${accountId}`)).marketplaces.every(
            (m) => m.accountStatus !== null,
          ),
        { timeout: 60_000, interval: 500 },
      )
      .toBe(true);
    if (!(await deactivated())) {
      const advanced = await fetch(`${simulatorUrl}/_sim/clock/advance`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ days: 3 }),
      });
      expect(advanced.status, await advanced.clone().text()).toBe(200);
      const { csrfToken } = await getJson<{ csrfToken: string }>(page, '/api/auth/session');
      const refreshed = await page.request.post(at('/api/accounts/refresh'), {
        headers: { 'x-csrf-token': csrfToken },
        data: {},
      });
      expect(refreshed.status(), await refreshed.text()).toBe(202);
    }
    await expect.poll(deactivated, { timeout: 30_000, interval: 500 }).toBe(true);

    await expect
      .poll(
        async () => {
          const list = await getJson<AlertList>(page, `/api/alerts?account=${accountId}&rule=account_status`);
          const alert = list.alerts.find((a) => a.severity === 'critical');
          const cases = await getJson<CaseSummary[]>(page, `/api/cases?account=${accountId}`);
          if (!alert || cases.length === 0) return null;
          alertId = alert.id;
          caseId = cases[0]!.id;
          return cases[0]!.origin;
        },
        { timeout: 30_000, interval: 500 },
      )
      .toBe('suspension');

    await page.goto(at(`/alerts?account=${accountId}&rule=account_status`));
    // The alert's link to its case (to /cases/new?alert=, which opens the case the alert already has).
    const link = page.locator(`[data-alert-id="${alertId}"] [data-testid="alert-case"]`);
    expect(await link.textContent()).toMatch(/Open its case|Start a case/);
    await link.click();
    await page.waitForURL(at(`/cases/${caseId}`));
    await page.getByRole('heading', { level: 1, name: new RegExp(suspended.name) }).waitFor();
    expect(await page.getByTestId('deadline-none').textContent()).toContain('No deadline yet');
    expect(await page.getByTestId('placeholders-left').textContent()).toMatch(
      /\d+ placeholders? left to fill/,
    );
  });

  it("reads Amazon's notice, autosaves the root cause, takes a PDF and exports the case", async () => {
    const page = await newPage();
    await page.goto(at(`/cases/${caseId}`));
    const before = await getJson<CaseDetail>(page, `/api/cases/${caseId}`);

    // The notice: its ASINs, and the deadline 17 days from now, counted down.
    await page.getByLabel('The notice, as Amazon sent it').fill(NOTICE);
    await page.getByRole('button', { name: 'Save the notice' }).click();
    const extract = page.getByTestId('notice-asins');
    await expect.poll(() => extract.textContent()).toContain(ASINS[0]);
    expect(await extract.textContent()).toContain(ASINS[1]);
    expect(await page.getByTestId('countdown').textContent()).toMatch(/^(16 days( \d+ h)?|17 days) left$/);
    expect(await page.getByTestId('deadline-source').textContent()).toContain('within 17 days');
    expect(await page.getByTestId('notice-status').textContent()).toMatch(/Read 2 ASINs/);

    // A placeholder of the root cause, chosen from the list under it and typed over.
    const rootCause = page.locator('[data-testid="section-editor"][data-section="root_cause"]');
    const textarea = rootCause.getByLabel('Root cause', { exact: true });
    const placeholder = rootCause.getByTestId('placeholders').getByRole('button').first();
    const label = (await placeholder.textContent())!.trim();
    const count = Number(await rootCause.getByTestId('placeholders').getAttribute('data-count'));
    await placeholder.click();
    await page.keyboard.type(SUPPLIER);
    await expect.poll(() => rootCause.getByTestId('save-status').textContent()).toMatch(/Saved at \d\d:\d\d/);
    expect(await textarea.inputValue()).toContain(SUPPLIER);
    expect(Number(await rootCause.getByTestId('placeholders').getAttribute('data-count'))).toBe(count - 1);
    const saved = await getJson<CaseDetail>(page, `/api/cases/${caseId}`);
    expect(saved.sections.root_cause).toContain(SUPPLIER);
    expect(saved.sections.root_cause.split(label).length).toBe(
      before.sections.root_cause.split(label).length - 1,
    );
    expect(saved.placeholdersLeft).toBeLessThan(before.placeholdersLeft);

    // A supporting document.
    await page.getByTestId('evidence-file').setInputFiles({
      name: 'supplier-invoice.pdf',
      mimeType: 'application/pdf',
      buffer: Buffer.from(
        '%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n',
      ),
    });
    await page.getByLabel('What it shows').fill('Invoice from the distributor');
    await page.getByRole('button', { name: 'Upload' }).click();
    const item = page.getByTestId('evidence-item').filter({ hasText: 'supplier-invoice.pdf' });
    await item.waitFor();
    expect(await item.textContent()).toMatch(/PDF · \d+ bytes ·\s+added by you/);
    expect(await page.getByTestId('evidence-status').textContent()).toContain(
      'Uploaded supplier-invoice.pdf',
    );

    // The whole case as Markdown.
    expect(await page.getByTestId('export-warning').textContent()).toMatch(
      /\d+ placeholders? (is|are) still/,
    );
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('export-markdown').click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^case-.*\.md$/);
    const markdown = await readFile((await download.path())!, 'utf8');
    expect(markdown).toContain('Root cause');
    expect(markdown).toContain('Plan of action');
    expect(markdown).toContain(ASINS[0]);
    expect(markdown).toContain(SUPPLIER);
    expect(markdown).toContain('supplier-invoice.pdf');

    expect(await page.getByTestId('timeline').textContent()).toContain(
      'Evidence added: supplier-invoice.pdf',
    );
    await checkPage(page, 'case');
    const phone = await newPage(WIDTHS.phone);
    await phone.goto(at(`/cases/${caseId}`));
    await phone.getByTestId('notice-extract').waitFor();
    await checkPage(phone, 'case');
  });

  it('prints the whole case, with the placeholders still to fill', async () => {
    const page = await newPage();
    await page.goto(at(`/cases/${caseId}`));
    await page.getByRole('link', { name: 'Print view' }).click();
    await page.waitForURL(at(`/cases/${caseId}/print`));
    await page.getByRole('heading', { level: 1, name: new RegExp(suspended.name) }).waitFor();
    expect(await page.getByTestId('print-placeholders').textContent()).toMatch(
      /placeholders? (is|are) still/,
    );
    const doc = page.getByTestId('case-print');
    for (const part of ['Plan of action', 'Appeal', 'Evidence', "Amazon's notice", 'Damage assessment']) {
      await doc.getByRole('heading', { level: 2, name: part }).waitFor();
    }
    expect(await doc.textContent()).toContain(SUPPLIER);
    expect(await doc.textContent()).toContain('supplier-invoice.pdf');
    await checkPage(page, 'case-print');

    // On paper: the document alone.
    await page.emulateMedia({ media: 'print' });
    expect(await page.getByRole('button', { name: 'Print or save as PDF' }).isVisible()).toBe(false);
    expect(await page.locator('header.site-header').isVisible()).toBe(false);
    expect(await page.getByRole('heading', { level: 2, name: 'Plan of action' }).isVisible()).toBe(true);

    const phone = await newPage(WIDTHS.phone);
    await phone.goto(at(`/cases/${caseId}/print`));
    await phone.getByTestId('case-print').waitFor();
    await checkPage(phone, 'case-print');
  });
});
