import { describe, expect, it } from 'vitest';
import type { LoadedTenant } from '../../config/types.js';
import { compileDesired } from '../compile/compile-desired.js';
import { createCompileContext } from '../compile/context.js';
import { examplePlatform, loadedTenant } from '../compile/fixtures.js';
import type { ObservedState } from '../model.js';
import { convergedObserved } from './fixtures.js';
import { plan } from './plan.js';
import { renderPlanText } from './render-text.js';

const platform = examplePlatform();
const context = createCompileContext(platform, { redis: { host: 'redis', port: 6379 }, postgres: { host: 'pg', port: 5432 }, suspendedUrl: 'http://rp9:8080/suspended' });
const dedicated = (name: string, spec: Partial<LoadedTenant['tenant']['spec']> = {}) => loadedTenant(name, { mode: 'dedicated', resources: { cpu: 2, memoryMb: 2048, workers: 2 }, ...spec });
const shared = (name: string, spec: Partial<LoadedTenant['tenant']['spec']> = {}) => loadedTenant(name, { mode: 'shared', ...spec });
const desiredOf = (tenants: LoadedTenant[]) => compileDesired(platform, tenants, context);

const before = [dedicated('wayne'), dedicated('stark'), dedicated('old'), shared('hooli'), shared('s1'), shared('s2'), shared('s3'), shared('s4')];
const after = [
  dedicated('acme', { customDomains: ['automations.acme.com'], resources: { cpu: 2, memoryMb: 2048, workers: 1 } }),
  dedicated('wayne', { resources: { cpu: 3, memoryMb: 3072, workers: 1 } }),
  dedicated('stark', { n8n: { version: '1.124.0' } }),
  shared('hooli', { suspended: true }),
  shared('s1'),
  shared('s2'),
  shared('s3'),
  shared('s4'),
];
const observed = convergedObserved(desiredOf(before));

describe('renderPlanText', () => {
  it('prints each changing tenant like terraform plan, then the summary', () => {
    const text = renderPlanText(plan(desiredOf(after), observed, { maxDeletionPercent: 25 }), { color: false });

    expect(text).toBe(
      [
        '+ tenant acme (create)',
        '  + database rp9_acme  (new tenant)',
        '  + volume rp9-acme-data  (new tenant)',
        '  + container rp9-acme-main  (new tenant)',
        '  + container rp9-acme-worker-1  (new tenant)',
        '  + route acme  (new tenant)',
        '',
        '~ tenant hooli (update)',
        '  ~ route hooli  (routes to suspended: http://rp9:8080/suspended)',
        '',
        '- tenant old (delete)',
        '  - route old',
        '  - container rp9-old-worker-2',
        '  - container rp9-old-worker-1',
        '  - container rp9-old-main',
        '  = database rp9_old (retained)',
        '  = volume rp9-old-data (retained)',
        '',
        '~ tenant stark (update)',
        '  -/+ container rp9-stark-main  image: rp9/n8n:1.123.4 → rp9/n8n:1.124.0 (recreate, downtime)',
        '  -/+ container rp9-stark-worker-1  image: rp9/n8n:1.123.4 → rp9/n8n:1.124.0 (recreate)',
        '  -/+ container rp9-stark-worker-2  image: rp9/n8n:1.123.4 → rp9/n8n:1.124.0 (recreate)',
        '',
        '~ tenant wayne (update)',
        '  ~ container rp9-wayne-main  cpu: 2 → 3, memoryMb: 2048 → 3072',
        '  ~ container rp9-wayne-worker-1  cpu: 2 → 3, memoryMb: 2048 → 3072',
        '  - container rp9-wayne-worker-2  (workers 2 → 1)',
        '',
        'Plan: 5 to create, 3 to update, 3 to recreate, 5 to delete, 2 retained; 1 action causes downtime.',
        '',
      ].join('\n'),
    );
  });

  it('shows start and stop with the state they change', () => {
    const suspend = renderPlanText(plan(desiredOf([dedicated('acme', { suspended: true, resources: { workers: 1 } })]), convergedObserved(desiredOf([dedicated('acme', { resources: { workers: 1 } })])), { maxDeletionPercent: 25 }));
    const resume = renderPlanText(plan(desiredOf([dedicated('acme', { resources: { workers: 1 } })]), convergedObserved(desiredOf([dedicated('acme', { suspended: true, resources: { workers: 1 } })])), { maxDeletionPercent: 25 }));

    expect(suspend).toContain('  ~ container rp9-acme-main  state: running → stopped (stop, downtime)\n');
    expect(suspend).toContain('Plan: 0 to create, 3 to update, 0 to recreate, 0 to delete, 0 retained; 1 action causes downtime.');
    expect(resume).toContain('  ~ container rp9-acme-worker-1  state: exited → running (start)\n');
    expect(resume).toContain('no action causes downtime.');
  });

  it('explains a recreate the fields do not show, and a dead container', () => {
    const drifted: ObservedState = {
      ...observed,
      resources: observed.resources.map((r) => (r.kind === 'container' && r.name === 'rp9-wayne-main' ? { ...r, hash: '0000000000000000' } : r.name === 'rp9-wayne-worker-1' && r.kind === 'container' ? { ...r, state: 'dead' as const } : r)),
    };

    const text = renderPlanText(plan(desiredOf(before), drifted, { maxDeletionPercent: 25 }));

    expect(text).toContain('  -/+ container rp9-wayne-main  (recreate: configuration changed, downtime)\n');
    expect(text).toContain('  -/+ container rp9-wayne-worker-1  state: dead → running (recreate)\n');
  });

  it('says so when nothing changes', () => {
    expect(renderPlanText(plan(desiredOf(before), observed, { maxDeletionPercent: 25 }))).toBe('No changes. The platform matches the config.\n');
  });

  it('mentions data retained for purge when nothing else changes', () => {
    const leftovers: ObservedState = { ...observed, resources: observed.resources.filter((r) => r.tenant !== 'old' || r.kind === 'database' || r.kind === 'volume') };

    const text = renderPlanText(plan(desiredOf(before.filter((t) => t.name !== 'old')), leftovers, { maxDeletionPercent: 25 }));

    expect(text).toBe('No changes. The platform matches the config.\n2 resources are retained until explicit purge.\n');
  });

  it('prints why a refused plan was refused, first', () => {
    const text = renderPlanText(plan(desiredOf([shared('s1')]), observed, { maxDeletionPercent: 25 }));
    const lines = text.split('\n');

    expect(lines[0]).toMatch(/^Plan refused \(plan\.mass-deletion\): 7 of 8 live tenants \(87\.5%\) would be deleted/);
    expect(lines.at(-2)).toBe('Nothing will be applied.');
  });

  it('colors symbols only when asked', () => {
    const result = plan(desiredOf(after), observed, { maxDeletionPercent: 25 });

    const colored = renderPlanText(result, { color: true });
    const plain = renderPlanText(result, { color: false });

    expect(colored).toContain('\u001b[32m+\u001b[0m container rp9-acme-main');
    expect(colored).toContain('\u001b[1m\u001b[31mdowntime\u001b[0m');
    expect(plain).not.toContain('\u001b[');
    expect(colored.replace(/\u001b\[[0-9;]*m/g, '')).toBe(plain);
  });
});
