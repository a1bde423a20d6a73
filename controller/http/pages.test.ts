// Pure parts of the HTTP surface: health rules, host routing, HTML escaping.
import { describe, expect, it } from 'vitest';
import { healthReport, healthStatus, readyz, systemInfo, unknownReadiness } from './health.js';
import { hostName, isControllerHost } from './hosts.js';
import { commitProgress, escapeHtml, renderStatusPage, renderSuspendedPage } from './html.js';
import { renderTenantPage } from './tenant-page.js';
import type { DepState, Readiness, TenantRow } from './types.js';

const up: DepState = { status: 'up' };
const down: DepState = { status: 'down', error: 'x' };
const off: DepState = { status: 'disabled' };

describe('healthStatus / readyz', () => {
  it.each([
    { name: 'all up', r: { role: 'leader', database: up, docker: up, git: up }, health: 'healthy', ready: true },
    { name: 'docker disabled on purpose', r: { role: 'leader', database: up, docker: off, git: up }, health: 'healthy', ready: true },
    { name: 'docker down', r: { role: 'standby', database: up, docker: down, git: up }, health: 'degraded', ready: true },
    { name: 'git down', r: { role: 'leader', database: up, docker: up, git: down }, health: 'degraded', ready: true },
    { name: 'role unknown', r: { role: 'unknown', database: up, docker: up, git: up }, health: 'degraded', ready: false },
    { name: 'database down', r: { role: 'leader', database: down, docker: up, git: up }, health: 'unhealthy', ready: false },
    { name: 'probe failed', r: unknownReadiness('check failed'), health: 'unhealthy', ready: false },
  ] as { name: string; r: Readiness; health: string; ready: boolean }[])('$name → $health, ready=$ready', ({ r, health, ready }) => {
    expect(healthStatus(r)).toBe(health);
    expect(readyz(r).ready).toBe(ready);
  });

  it('the report rounds latency and bounds error text', () => {
    const report = healthReport({ role: 'leader', database: { status: 'up', latencyMs: 1.2345 }, docker: { status: 'down', error: 'e'.repeat(1000) }, git: up }, systemInfo('v'));

    expect(report.dependencies.database).toEqual({ status: 'up', latencyMs: 1.2 });
    expect(report.dependencies.docker.error).toHaveLength(300);
    expect(report.mode).toBe('waiting-for-docker');
  });
});

describe('hosts', () => {
  it.each([
    { header: 'Acme.RP9.io:443', expected: 'acme.rp9.io' },
    { header: '[::1]:8080', expected: '::1' },
    { header: 'acme.rp9.io.', expected: 'acme.rp9.io' },
    { header: undefined, expected: undefined },
  ])('hostName($header) = $expected', ({ header, expected }) => {
    expect(hostName(header)).toBe(expected);
  });

  it.each([
    { header: 'acme.rp9.io', hosts: undefined, expected: true },
    { header: 'acme.rp9.io', hosts: ['orchestrator.rp9.io'], expected: false },
    { header: 'orchestrator.rp9.io:9090', hosts: ['orchestrator.rp9.io'], expected: true },
    { header: '10.0.0.7:9090', hosts: ['orchestrator.rp9.io'], expected: true },
    { header: 'localhost', hosts: ['orchestrator.rp9.io'], expected: true },
    { header: undefined, hosts: ['orchestrator.rp9.io'], expected: true },
  ])('isControllerHost($header, $hosts) = $expected', ({ header, hosts, expected }) => {
    expect(isControllerHost(header, hosts)).toBe(expected);
  });
});

describe('html', () => {
  it('escapes the HTML-significant characters', () => {
    expect(escapeHtml(`<a href="x" onclick='y'>&\`</a>`)).toBe('&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&#96;&lt;/a&gt;');
    expect(escapeHtml(undefined)).toBe('');
  });

  it('escapes every tenant field on the status page', () => {
    const evil = '"><img src=x onerror=alert(1)>';
    const html = renderStatusPage({
      tenants: [{ name: evil, mode: 'shared', plan: evil, phase: 'active', ready: true, reason: evil, appliedCommit: evil, updatedAt: evil }],
      lastCommit: { sha: evil, message: evil, readAt: evil, newerInvalid: evil },
      role: 'leader',
      version: evil,
      generatedAt: new Date(0),
      events: [{ time: evil, tenant: evil, type: 'Warning', reason: evil, message: evil, actor: evil, commit: evil }],
    });
    const warned = renderTenantPage({ name: 'acme', row: { name: 'acme', mode: 'dedicated', plan: 'pro', phase: 'active', ready: true, warnings: [`RestoreDrillFailed: ${evil}`] }, events: [], generatedAt: new Date(0) });
    expect(warned).toContain('<span class="no">RestoreDrillFailed: ');
    expect(warned).not.toContain(evil);
    const tenantPage = renderTenantPage({ name: evil, row: undefined, events: [{ time: evil, tenant: evil, type: 'Normal', reason: evil, message: evil, actor: evil, commit: evil }], generatedAt: new Date(0) });

    expect(html).not.toContain('<img');
    expect(html.match(/&quot;&gt;&lt;img src=x onerror=alert\(1\)&gt;/g)?.length).toBeGreaterThanOrEqual(16);
    expect(html).toContain(`href="/?tenant=${encodeURIComponent(evil)}"`);
    expect(tenantPage).not.toContain('<img');
    expect(tenantPage.match(/&quot;&gt;&lt;img src=x onerror=alert\(1\)&gt;/g)?.length).toBeGreaterThanOrEqual(7);
  });

  it('says when there are no tenants or commits', () => {
    const html = renderStatusPage({ tenants: [], version: '1', generatedAt: new Date(0) });

    expect(html).toContain('No tenants.');
    expect(html).toContain('No valid commit read yet');
  });

  it('labels the commit in force as read, and counts tenants applied at it, failing, pending and older', () => {
    const sha = 'c'.repeat(40);
    const row = (name: string, ready: boolean, extra: Partial<TenantRow> = {}): TenantRow => ({ name, mode: 'shared', plan: 'starter', phase: ready ? 'active' : 'failed', ready, ...extra });
    const tenants = [
      row('a', true, { appliedCommit: sha }),
      row('b', true, { appliedCommit: sha }),
      row('c', false, { appliedCommit: 'b'.repeat(40), reason: 'ImageMissing: no such image' }),
      row('d', false, { phase: 'provisioning' }),
      row('e', true, { appliedCommit: 'b'.repeat(40) }),
    ];

    const html = renderStatusPage({ tenants, lastCommit: { sha, newerInvalid: 'd'.repeat(40) }, version: '1', generatedAt: new Date(0) });

    expect(commitProgress(tenants, sha)).toEqual({ total: 5, applied: 2, failing: 1, waitingForDocker: 0, waitingForWindow: 0, pending: 1, older: 1 });
    expect(html).not.toContain('Last applied commit');
    expect(html).toContain(`Last valid commit read <code title="${sha}">cccccccccccc</code>`);
    expect(html).toContain('<p>2 of 5 tenants applied at this commit · <span class="no">1 failing</span> · 1 pending · 1 still at an older commit</p>');
    expect(html).toContain('Newer commit <code title="dddddddddddddddddddddddddddddddddddddddd">dddddddddddd</code> failed validation and is not applied.');
  });

  it('shows tenants that wait for Docker as their own state, not as failing, and says why', () => {
    const sha = 'c'.repeat(40);
    const waiting = (name: string): TenantRow => ({ name, mode: 'dedicated', plan: 'pro', phase: 'provisioning', ready: false, reason: 'WaitingForDocker: Waiting for Docker: connect ENOENT', waitingForDocker: true });
    const tenants: TenantRow[] = [
      { name: 'a', mode: 'shared', plan: 'starter', phase: 'active', ready: true, appliedCommit: sha },
      waiting('b'),
      waiting('c'),
    ];

    const html = renderStatusPage({ tenants, lastCommit: { sha }, docker: 'down', version: '1', generatedAt: new Date(0) });
    const upHtml = renderStatusPage({ tenants: tenants.slice(0, 1), lastCommit: { sha }, docker: 'up', version: '1', generatedAt: new Date(0) });

    expect(commitProgress(tenants, sha)).toEqual({ total: 3, applied: 1, failing: 0, waitingForDocker: 2, waitingForWindow: 0, pending: 0, older: 0 });
    expect(html).toContain('<p>1 of 3 tenants applied at this commit · <span class="wait">2 waiting for Docker</span></p>');
    expect(html).not.toContain('failing');
    expect(html).not.toContain('<td class="no">');
    expect(html.match(/<td class="wait">waiting for Docker<\/td>/g)).toHaveLength(2);
    expect(html).toContain('Docker is not reachable: routes of shared tenants are applied; dedicated tenants wait for Docker');
    expect(upHtml).not.toContain('Docker is not reachable');
  });

  it('shows each tenant\'s newest upgrade under its reason: grey while it runs, red once it rolled back', () => {
    const tenants: TenantRow[] = [
      { name: 'a', mode: 'dedicated', plan: 'pro', phase: 'active', ready: true, upgrade: 'upgrading 1.123.81 → 2.41.1: step 6/7 watch, live blue' },
      { name: 'b', mode: 'dedicated', plan: 'pro', phase: 'active', ready: true, upgrade: 'rolled back 1.123.81 → 2.41.1 (2h ago): [upgrade.watch-failed] <down>' },
      { name: 'c', mode: 'dedicated', plan: 'pro', phase: 'active', ready: true },
    ];
    const html = renderStatusPage({ tenants, version: 'v', generatedAt: new Date(0) });
    const one = renderTenantPage({ name: 'a', row: tenants[0], events: [], generatedAt: new Date(0) });

    expect(html).toContain('<span class="wait">Upgrade: upgrading 1.123.81 → 2.41.1: step 6/7 watch, live blue</span>');
    expect(html).toContain('<span class="no">Upgrade: rolled back 1.123.81 → 2.41.1 (2h ago): [upgrade.watch-failed] &lt;down&gt;</span>');
    expect(html.match(/Upgrade:/g)).toHaveLength(2);
    expect(one).toContain('Upgrade: upgrading 1.123.81 → 2.41.1: step 6/7 watch, live blue');
  });

  it('shows a tenant whose downtime change waits for its maintenance window as Pending, not failing', () => {
    const sha = 'c'.repeat(40);
    const tenants: TenantRow[] = [{ name: 'a', mode: 'dedicated', plan: 'pro', phase: 'active', ready: false, reason: 'MaintenanceWindow: Pending (window opens 2026-12-12 22:00 UTC): recreate container rp9-a-main', pendingWindow: 'Pending (window opens 2026-12-12 22:00 UTC)' }];
    const html = renderStatusPage({ tenants, lastCommit: { sha }, version: '1', generatedAt: new Date(0) });
    expect(commitProgress(tenants, sha)).toMatchObject({ failing: 0, waitingForWindow: 1 });
    expect(html).toContain('<td class="wait">Pending (window opens 2026-12-12 22:00 UTC)</td>');
    expect(html).toContain('<span class="wait">1 waiting for a maintenance window</span>');
  });

  it('names unreachable container addresses with their code; says "not probed yet" in grey, not red, before any probe; nothing while they answer', () => {
    const error = 'settings.container-address-unreachable: not reachable from a container on network "rp9": RP9_CONTAINER_POSTGRES postgres:5432 (bad address)';
    const input = { tenants: [], version: '1', generatedAt: new Date(0) };

    const down = renderStatusPage({ ...input, containerAddresses: { status: 'down', error } });
    const notProbed = renderStatusPage({ ...input, docker: 'down', containerAddresses: { status: 'disabled', error: 'not probed yet: the Docker engine did not answer (connect ENOENT /var/run/docker.sock)' } });
    const up = renderStatusPage({ ...input, containerAddresses: { status: 'up' } });

    expect(down).toContain('<p class="no">settings.container-address-unreachable: not reachable from a container on network &quot;rp9&quot;: RP9_CONTAINER_POSTGRES postgres:5432 (bad address)</p>');
    expect(notProbed).toContain('<p class="muted">Container addresses (RP9_CONTAINER_POSTGRES, RP9_CONTAINER_REDIS): not probed yet: the Docker engine did not answer (connect ENOENT /var/run/docker.sock)</p>');
    expect(notProbed).not.toContain('class="no"');
    expect(up).not.toContain('container-address');
    expect(up).not.toContain('Container addresses');
  });

  it('says only how many are applied when every tenant is applied at the commit', () => {
    const sha = 'c'.repeat(40);
    const html = renderStatusPage({ tenants: [{ name: 'a', mode: 'shared', plan: 'starter', phase: 'active', ready: true, appliedCommit: sha }], lastCommit: { sha }, version: '1', generatedAt: new Date(0) });

    expect(html).toContain('<p>1 of 1 tenants applied at this commit</p>');
    expect(html).not.toContain('failed validation');
  });

  it('the suspended page works without a host', () => {
    const html = renderSuspendedPage(undefined, { brand: 'RP9 <Cloud>' });

    expect(html).toContain('<title>Workspace suspended · RP9 &lt;Cloud&gt;</title>');
    expect(html).toContain('contact your account administrator');
  });
});
