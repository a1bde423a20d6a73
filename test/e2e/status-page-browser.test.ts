// End to end: the status page in a real browser (Debian's chromium, driven by
// playwright-core) against a running controller with its real store. It
// checks the tenant table, a failing tenant's reason, the recent events, the
// page's own refresh (a meta refresh, so also with JavaScript off), and that a
// tenant-provided string holding HTML is shown as text everywhere.
// Shared tenants only: no tenant containers.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Page } from 'playwright-core';
import { openBrowser, type Browser } from '../harness/browser.js';
import { platformYaml, tenantFile, tenantYaml } from './support/config.js';
import { until } from './support/wait.js';
import { createWorld, type ControllerHandle, type World } from './support/world.js';

// Markup and quotes a tenant could put in its file; none of it may become markup on a page.
const HOSTILE = `<b id="rp9-injected">Acme & "Co"</b><img id="rp9-injected-img" src="/x"><script id="rp9-injected-script">document.title='pwned'</script>`;
const REFRESH_SECONDS = 2;

let world: World;
let controller: ControllerHandle;
const browsers: Browser[] = [];

interface Row { cells: string[] }

/** What one load of a page shows; read again when the page's own refresh navigates mid-read. */
interface Snapshot {
  url: string;
  title: string;
  /** The first table (the tenants), as cell texts. */
  rows: Row[];
  /** The rows of the "Recent events" table. */
  events: string[];
  /** The paragraph under the heading (a tenant's display name on its page). */
  lead: string;
  notices: string[];
  generated: string | undefined;
  /** Elements and scripts the injected markup would have produced, had it been parsed as HTML. */
  injected: number;
  scripts: number;
}

async function read(page: Page): Promise<Snapshot> {
  const rowLocators = await page.locator('table').first().locator('tbody tr').all();
  const rows = await Promise.all(rowLocators.map(async (row) => ({ cells: (await row.locator('td').allTextContents()).map((cell) => cell.trim()) })));
  const body = (await page.locator('body').textContent()) ?? '';
  return {
    url: page.url(),
    title: await page.title(),
    rows,
    events: await page.locator('h2:has-text("Recent events") + table tbody tr').allTextContents(),
    lead: (await page.locator('h1 + p').first().textContent()) ?? '',
    notices: await page.locator('p.no').allTextContents(),
    generated: body.match(/generated (\S+)/)?.[1],
    injected: await page.locator('#rp9-injected, #rp9-injected-img, #rp9-injected-script').count(),
    scripts: await page.locator('script').count(),
  };
}

/** The page as shown once `ready` holds; a read cut short by the page's own refresh is retried. */
function snapshot(page: Page, what: string, ready: (s: Snapshot) => boolean = () => true): Promise<Snapshot> {
  return until(what, async () => {
    const seen = await read(page).catch(() => undefined);
    return seen && ready(seen) ? seen : undefined;
  }, { timeoutMs: 30_000 });
}

const rowOf = (s: Snapshot, name: string) => s.rows.find((r) => r.cells[0] === name || r.cells[0]?.startsWith(`${name} `));

beforeAll(async () => {
  world = await createWorld({
    id: 'sp',
    postgresUrl: inject('postgresUrl'),
    dockerSocket: inject('dockerSocket'),
    files: (environment) => ({
      'platform.yaml': platformYaml({ environment }),
      ...tenantFile({ name: 'sp-live', mode: 'shared', displayName: HOSTILE }),
      ...tenantFile({ name: 'sp-bad', mode: 'shared' }),
    }),
  });
  controller = await world.startController({ intervalSeconds: 1, env: { RP9_STATUS_REFRESH_SECONDS: String(REFRESH_SECONDS) } });
  await until('both tenants applied', async () => {
    const statuses = await controller.store.status.list();
    return statuses.filter((s) => s.appliedCommit === world.repo.head).length === 2;
  }, { timeoutMs: 30_000 });
}, 90_000);

afterAll(async () => {
  await Promise.allSettled(browsers.map((b) => b.close()));
  await world?.close();
});

async function open(javaScript: boolean): Promise<Page> {
  const browser = await openBrowser({ javaScript });
  browsers.push(browser);
  return browser.context.newPage();
}

describe('the status page in chromium', () => {
  it('shows the tenant table, the recent events and the display name as text, on both pages', { timeout: 90_000 }, async () => {
    const page = await open(true);

    const answer = await page.goto(`${controller.url}/`);
    const overall = await snapshot(page, 'the status page');

    expect(answer?.status()).toBe(200);
    expect(overall.rows.map((r) => r.cells.slice(1, 5))).toEqual([
      ['shared', 'starter', 'active', 'yes'],
      ['shared', 'starter', 'active', 'yes'],
    ]);
    expect(overall.rows.map((r) => r.cells[0]?.split(' ')[0])).toEqual(['sp-bad', 'sp-live']);
    expect(overall.rows.every((r) => r.cells[6] === world.repo.head.slice(0, 12))).toBe(true);
    expect(rowOf(overall, 'sp-live')?.cells[0]).toBe(`sp-live ${HOSTILE}`);
    expect(overall.events.length).toBeGreaterThan(0);
    expect(overall.events.some((e) => e.includes('sp-live') && e.includes('Applied'))).toBe(true);
    expect(overall).toMatchObject({ injected: 0, scripts: 0, title: 'rp9 controller status' });

    await until('the tenant page opened from its link', async () => {
      await page.locator('a', { hasText: 'sp-live' }).first().click({ timeout: 5_000 }).catch(() => undefined);
      return page.url().endsWith('?tenant=sp-live');
    }, { timeoutMs: 30_000 });
    const own = await snapshot(page, 'the tenant page', (s) => s.url.endsWith('?tenant=sp-live'));

    expect(own.title).toBe('rp9 · sp-live');
    expect(own.lead).toBe(HOSTILE);
    expect(own.rows[0]?.cells[0]).toBe(`sp-live ${HOSTILE}`);
    expect(own.events.length).toBeGreaterThan(0);
    expect(own).toMatchObject({ injected: 0, scripts: 0 });
  });

  it('refreshes itself with JavaScript off and then shows a failing tenant and its reason', { timeout: 90_000 }, async () => {
    const page = await open(false);
    let loads = 0;
    page.on('load', () => void (loads += 1));
    await page.goto(`${controller.url}/`);
    const before = await snapshot(page, 'the status page without JavaScript');
    expect(rowOf(before, 'sp-bad')?.cells[4]).toBe('yes');
    expect(before).toMatchObject({ injected: 0, scripts: 0, title: 'rp9 controller status' });
    const loadsBefore = loads;

    // sp-bad names a plan that does not exist: the commit fails validation and sp-bad says why.
    const bad = await world.push({ 'tenants/sp-bad.yaml': tenantYaml({ name: 'sp-bad', mode: 'shared' }).replace('plan: starter', 'plan: gold') }, 'sp-bad: unknown plan');
    await until('sp-bad ValidationFailed in the store', async () => {
      const status = await controller.store.status.get('sp-bad');
      return status?.conditions.some((c) => c.type === 'Ready' && c.reason === 'ValidationFailed') ?? false;
    }, { timeoutMs: 20_000 });

    // Nothing but the page's own meta refresh reloads it from here on.
    const after = await snapshot(page, 'the refreshed page showing sp-bad failing', (s) => rowOf(s, 'sp-bad')?.cells[4] === 'no' && s.notices.length > 0);

    expect(loads).toBeGreaterThan(loadsBefore);
    expect(after.generated).not.toBe(before.generated);
    expect(rowOf(after, 'sp-bad')?.cells[5]).toMatch(/^ValidationFailed: .*tenant\.plan-unknown/);
    expect(after.notices.join('\n')).toContain(`Newer commit ${bad.slice(0, 12)} failed validation and is not applied.`);
    expect(rowOf(after, 'sp-live')?.cells[0]).toBe(`sp-live ${HOSTILE}`);
    expect(after).toMatchObject({ injected: 0, scripts: 0, title: 'rp9 controller status' });
  });
});
