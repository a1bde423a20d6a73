import { afterAll, describe, expect, inject, it } from 'vitest';
import { openStore } from '../../controller/store/store.js';
import { captureIo } from '../../test/fixtures/capture-io.js';
import { runSql, scratchDatabases } from '../../test/harness/scratch-databases.js';
import { main } from '../main.js';
import { hoursOption } from './tenant-events.js';

const databases = scratchDatabases(inject('postgresUrl'), 'rp9_tenant_events');
afterAll(() => databases.dropAll());

describe('rp9 tenant events', () => {
  it('shows the tenant\'s events of the last hours, oldest first, in text and JSON', async () => {
    const url = await databases.create();
    const store = await openStore({ databaseUrl: url, notify: () => undefined });
    try {
      for (const reason of ['LongAgo', 'MemberInvited', 'WorkflowsDeactivated']) await store.events.record({ tenant: 'acme', type: 'Normal', reason, message: `${reason} happened`, actor: 'controller' });
      await store.events.record({ tenant: 'globex', type: 'Normal', reason: 'OtherTenant', message: 'not acme', actor: 'controller' });
    } finally {
      await store.close();
    }
    await runSql(url, `update events set time = now() - interval '3 hours' where reason = 'LongAgo'`);

    const text = captureIo({ DATABASE_URL: url }, '/');
    const json = captureIo({ DATABASE_URL: url }, '/');
    const day = captureIo({ DATABASE_URL: url }, '/');
    expect(await main(['tenant', 'events', 'acme', '--hours', '2'], text.io)).toBe(0);
    expect(await main(['tenant', 'events', 'acme', '-o', 'json'], json.io)).toBe(0);
    expect(await main(['tenant', 'events', 'acme', '--hours', '24', '-o', 'json'], day.io)).toBe(0);

    expect(text.out()).toMatch(/MemberInvited[\s\S]*WorkflowsDeactivated/);
    expect(text.out()).not.toContain('LongAgo');
    expect(text.out()).not.toContain('OtherTenant');
    expect(JSON.parse(json.out()).events.map((e: { reason: string }) => e.reason)).toEqual(['MemberInvited', 'WorkflowsDeactivated']);
    expect(JSON.parse(day.out()).events.map((e: { reason: string }) => e.reason)).toEqual(['LongAgo', 'MemberInvited', 'WorkflowsDeactivated']);
  });

  it('rejects a bad --hours and a missing tenant as usage errors (exit 2), and has --help', async () => {
    const bad = captureIo({}, '/');
    const none = captureIo({}, '/');
    const help = captureIo({}, '/');
    expect(await main(['tenant', 'events', 'acme', '--hours', 'two'], bad.io)).toBe(2);
    expect(await main(['tenant', 'events'], none.io)).toBe(2);
    expect(await main(['tenant', 'events', '--help'], help.io)).toBe(0);
    expect(bad.err()).toContain('--hours must be a number');
    expect(help.out()).toContain('rp9 tenant events');
    expect(() => hoursOption('0')).toThrow(/--hours/);
    expect(hoursOption('1.5')).toBe(1.5);
  });
});
