// One store suite, run against both backends: in-memory PGlite and a fresh
// database on the harness's real PostgreSQL.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Secret } from '../secrets/secret-value.js';
import { migrate } from './migrate.js';
import { migrations } from './migrations/index.js';
import { openPgSql } from './pg-sql.js';
import { openPgliteSql } from './pglite-sql.js';
import type { Sql } from './sql.js';
import { storeOn, type Store } from './store.js';

// An in-memory PGlite takes 3-5 s to start on an idle machine and much longer on a loaded one.
const OPEN_TIMEOUT_MS = 300_000;

interface Backend {
  open(): Promise<Sql>;
  cleanup(): Promise<void>;
}

let counter = 0;
/** A tenant name unique within the run, so tests sharing a store don't see each other's rows. */
function tenant(prefix: string): string {
  counter += 1;
  return `${prefix}-${counter}`;
}

function rejection(promise: Promise<unknown>): Promise<{ code?: string; message: string }> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: { code?: string; message: string }) => error,
  );
}

function storeSuite(label: string, backend: () => Backend): void {
  describe(`store on ${label}`, () => {
    const key = randomBytes(32);
    let sql: Sql;
    let store: Store;
    let db: Backend;

    beforeAll(async () => {
      db = backend();
      sql = await db.open();
      store = await storeOn(sql, { masterKey: key });
    }, OPEN_TIMEOUT_MS);
    afterAll(async () => {
      await store?.close();
      await db?.cleanup();
    });

    describe('migrations', () => {
      it('records each version once and applies nothing on a second run', async () => {
        const again = await migrate(sql, migrations);
        const rows = await sql.query<{ version: number; name: string }>('select version, name from schema_migrations order by version');

        expect(again.applied).toEqual([]);
        expect(rows).toEqual(migrations.map((m) => ({ version: m.version, name: m.name })));
      });
    });

    describe('status', () => {
      it('creates a tenant as provisioning and merges conditions keeping the transition time', async () => {
        const name = tenant('acme');
        const created = await store.status.update(name, { conditions: [{ type: 'Ready', status: 'False', reason: 'Provisioning', message: 'creating' }] });
        const same = await store.status.update(name, { appliedCommit: 'abc123', conditions: [{ type: 'Ready', status: 'False', reason: 'Waiting', message: 'health' }] });
        const flipped = await store.status.update(name, { phase: 'active', conditions: [{ type: 'Ready', status: 'True', reason: 'Applied', message: 'ok' }] });

        expect(created.phase).toBe('provisioning');
        expect(same.conditions[0]).toMatchObject({ reason: 'Waiting', lastTransitionTime: created.conditions[0]?.lastTransitionTime });
        expect(flipped).toMatchObject({ phase: 'active', appliedCommit: 'abc123', conditions: [{ type: 'Ready', status: 'True', reason: 'Applied' }] });
        expect(created.conditions[0]?.lastTransitionTime).toEqual(created.updatedAt);
        expect(same.conditions[0]?.lastTransitionTime).toEqual(created.updatedAt);
        expect(flipped.conditions[0]?.lastTransitionTime).toEqual(flipped.updatedAt);
        expect(await store.status.get(name)).toEqual(flipped);
      });

      it('keeps omitted fields, clears null ones and lists by name', async () => {
        const b = tenant('zeta');
        const a = tenant('alpha');
        await store.status.update(b, { phase: 'active', appliedSpecHash: 'h1', observedCommit: 'c1', observedGeneration: 'g1' });
        await store.status.update(a, { phase: 'suspended' });

        const updated = await store.status.update(b, { observedCommit: null });
        const listed = (await store.status.list()).map((s) => s.tenant);

        expect(updated).toMatchObject({ phase: 'active', appliedSpecHash: 'h1', observedCommit: null, observedGeneration: 'g1' });
        expect(listed.indexOf(a)).toBeLessThan(listed.indexOf(b));
        expect(listed).toEqual([...listed].sort());
      });

      it('rejects bad input without writing anything', async () => {
        const name = tenant('bad');
        const badReason = await rejection(store.status.update(name, { conditions: [{ type: 'Ready', status: 'True', reason: 'not pascal', message: '' }] }));
        const badPhase = await rejection(store.status.update(name, { phase: 'running' as never }));

        expect(badReason).toMatchObject({ code: 'store.invalid-input', message: expect.stringContaining('PascalCase') });
        expect(badPhase).toMatchObject({ code: 'store.invalid-input', message: expect.stringContaining('phase must be one of') });
        expect(await store.status.get(name)).toBeUndefined();
      });

      it('removes a tenant status', async () => {
        const name = tenant('gone');
        await store.status.update(name, { phase: 'active' });

        expect(await store.status.remove(name)).toBe(true);
        expect(await store.status.remove(name)).toBe(false);
        expect(await store.status.get(name)).toBeUndefined();
      });
    });

    describe('events', () => {
      it('records events and returns a tenant\'s newest first', async () => {
        const name = tenant('ev');
        await store.events.record({ tenant: name, type: 'Normal', reason: 'ApplyStarted', message: 'start', actor: 'controller', commit: 'c1', correlationId: 'run-1' });
        await store.events.record({ tenant: tenant('other'), type: 'Normal', reason: 'Noise', message: 'x', actor: 'controller' });
        const last = await store.events.record({ tenant: name, type: 'Warning', reason: 'HealthCheckFailed', message: 'down', actor: 'bot:autoscale', data: { attempts: 3, nested: { ok: false } } });

        const recent = await store.events.recent({ tenant: name });
        const limited = await store.events.recent({ tenant: name, limit: 1 });
        const byRun = await store.events.recent({ correlationId: 'run-1' });

        expect(recent.map((e) => e.reason)).toEqual(['HealthCheckFailed', 'ApplyStarted']);
        expect(limited).toEqual([last]);
        expect(last).toMatchObject({ tenant: name, type: 'Warning', actor: 'bot:autoscale', commit: null, data: { attempts: 3, nested: { ok: false } } });
        expect(typeof last.id).toBe('number');
        expect(last.time).toBeInstanceOf(Date);
        expect(byRun.map((e) => [e.tenant, e.commit])).toEqual([[name, 'c1']]);
      });

      it('keeps platform events apart and rejects a non-PascalCase reason', async () => {
        await store.events.record({ type: 'Normal', reason: 'LeaderElected', message: 'took the lease', actor: 'controller' });

        const platform = await store.events.recent({ tenant: null });
        const bad = await rejection(store.events.record({ type: 'Normal', reason: 'leader-elected', message: '', actor: 'controller' }));

        expect(platform.every((e) => e.tenant === null)).toBe(true);
        expect(platform[0]?.reason).toBe('LeaderElected');
        expect(bad.code).toBe('store.invalid-input');
      });
    });

    describe('secrets', () => {
      it('generates a secret once, stores only ciphertext and returns the same value later', async () => {
        const name = tenant('sec');
        let calls = 0;
        const generate = () => {
          calls += 1;
          return `pw-${calls}-plaintext`;
        };

        const first = await store.secrets.ensure(name, 'db-password', generate);
        const second = await store.secrets.ensure(name, 'db-password', generate);
        const raw = await sql.query<{ envelope: string }>('select envelope from secrets where tenant = $1', [name]);

        expect(first).toBeInstanceOf(Secret);
        expect(first.reveal()).toBe('pw-1-plaintext');
        expect(second.reveal()).toBe('pw-1-plaintext');
        expect(calls).toBe(1);
        expect(raw).toHaveLength(1);
        expect(raw[0]?.envelope).not.toContain('plaintext');
        expect(String(first)).toBe('[secret]');
      });

      it('agrees on one value when two callers ensure at once', async () => {
        const name = tenant('race');

        const [a, b] = await Promise.all([
          store.secrets.ensure(name, 'encryption-key', () => 'from-a'),
          store.secrets.ensure(name, 'encryption-key', () => 'from-b'),
        ]);

        expect(a.reveal()).toBe(b.reveal());
        expect(['from-a', 'from-b']).toContain(a.reveal());
      });

      it('gets, rotates, lists and removes', async () => {
        const name = tenant('rot');
        await store.secrets.ensure(name, 'db-password');
        await store.secrets.set(name, 'encryption-key', new Secret('k1'));
        await store.secrets.set(name, 'encryption-key', 'k2');

        expect((await store.secrets.get(name, 'encryption-key'))?.reveal()).toBe('k2');
        expect(await store.secrets.get(name, 'missing')).toBeUndefined();
        expect(await store.secrets.names(name)).toEqual(['db-password', 'encryption-key']);
        expect(await store.secrets.remove(name)).toBe(2);
        expect(await store.secrets.names(name)).toEqual([]);
      });

      it('refuses to decrypt under another master key, without leaking the value', async () => {
        const name = tenant('key');
        await store.secrets.ensure(name, 'db-password', () => 'the-real-value');
        const other = await storeOn(sql, { masterKey: randomBytes(32) });

        const error = await rejection(other.secrets.get(name, 'db-password'));

        expect(error.code).toBe('secrets.decrypt-failed');
        expect(error.message).toContain(`${name}/db-password`);
        expect(error.message).not.toContain('the-real-value');
      });
    });

    describe('operations', () => {
      it('walks a promotion through its steps to done', async () => {
        const name = tenant('promo');
        const started = await store.operations.start({ tenant: name, kind: 'promotion', steps: ['snapshot', 'copy', 'switch'], state: { from: 'shared' } });
        await store.operations.advance(started.id, { snapshot: 's1' });
        const midway = await store.operations.advance(started.id);

        expect(started).toMatchObject({ status: 'running', currentStep: 0, finishedAt: null, state: { from: 'shared' } });
        expect(started.steps.map((s) => s.status)).toEqual(['running', 'pending', 'pending']);
        expect(midway.steps.map((s) => s.status)).toEqual(['done', 'done', 'running']);
        expect((await store.operations.listUnfinished(name)).map((o) => o.id)).toEqual([started.id]);

        const done = await store.operations.advance(started.id, { to: 'dedicated' });

        expect(done).toMatchObject({ status: 'done', currentStep: 3, state: { from: 'shared', snapshot: 's1', to: 'dedicated' } });
        expect(done.finishedAt).toBeInstanceOf(Date);
        expect(await store.operations.listUnfinished(name)).toEqual([]);
        expect(await rejection(store.operations.advance(started.id))).toMatchObject({ code: 'store.conflict' });
      });

      it('keeps a failed operation unfinished until it is rolled back', async () => {
        const name = tenant('upg');
        const op = await store.operations.start({ tenant: name, kind: 'upgrade', steps: ['backup', 'migrate'] });
        await store.operations.advance(op.id);
        const failed = await store.operations.fail(op.id, 'migration exited 1');
        const blocked = await rejection(store.operations.start({ tenant: name, kind: 'restore', steps: ['restore'] }));

        expect(failed).toMatchObject({ status: 'failed', error: 'migration exited 1', finishedAt: null });
        expect(failed.steps[1]).toMatchObject({ status: 'failed', error: 'migration exited 1' });
        expect((await store.operations.listUnfinished()).map((o) => o.id)).toContain(op.id);
        expect(blocked).toMatchObject({ code: 'store.operation-in-progress', message: expect.stringContaining(op.id) });

        await store.operations.rollBackStep(op.id, 'migrate');
        await store.operations.rollBackStep(op.id, 'backup');
        const closed = await store.operations.finish(op.id, 'rolled-back');

        expect(closed.status).toBe('rolled-back');
        expect(closed.steps.map((s) => s.status)).toEqual(['rolled-back', 'rolled-back']);
        expect(await store.operations.listUnfinished(name)).toEqual([]);
        expect((await store.operations.start({ tenant: name, kind: 'restore', steps: ['restore'] })).status).toBe('running');
        expect((await store.operations.list(name)).map((o) => o.kind)).toEqual(['restore', 'upgrade']);
      });

      it('reports an unknown operation', async () => {
        expect(await rejection(store.operations.advance('no-such-op'))).toMatchObject({ code: 'store.not-found' });
        expect(await store.operations.get('no-such-op')).toBeUndefined();
      });
    });

    describe('lease', () => {
      it('gives the lease to one holder until it is released', async () => {
        const lease = tenant('lease');
        const a = await store.lease.tryAcquire(lease, 'controller-a', 60_000);
        const b = await store.lease.tryAcquire(lease, 'controller-b', 60_000);
        const renewed = await store.lease.renew(lease, 'controller-a', 60_000);
        const bRenew = await store.lease.renew(lease, 'controller-b', 60_000);

        expect(a).toMatchObject({ leader: true, holder: 'controller-a' });
        expect(b).toMatchObject({ leader: false, holder: 'controller-a' });
        expect(renewed.leader).toBe(true);
        expect(bRenew).toMatchObject({ leader: false, holder: 'controller-a' });
        expect(await store.lease.release(lease, 'controller-b')).toBe(false);
        expect(await store.lease.release(lease, 'controller-a')).toBe(true);
        expect(await store.lease.tryAcquire(lease, 'controller-b', 60_000)).toMatchObject({ leader: true, holder: 'controller-b' });
        expect((await store.lease.get(lease))?.holder).toBe('controller-b');
      });

      it('lets a standby take an expired lease; the old leader cannot renew it', async () => {
        const lease = tenant('expiry');
        await store.lease.tryAcquire(lease, 'dead-leader', 30);

        let standby = await store.lease.tryAcquire(lease, 'standby', 60_000);
        for (let i = 0; i < 100 && !standby.leader; i += 1) {
          await new Promise((r) => setTimeout(r, 20));
          standby = await store.lease.tryAcquire(lease, 'standby', 60_000);
        }
        const old = await store.lease.renew(lease, 'dead-leader', 60_000);

        expect(standby).toMatchObject({ leader: true, holder: 'standby' });
        expect(old).toMatchObject({ leader: false, holder: 'standby' });
      });
    });
  });
}

storeSuite('PGlite (in memory)', () => ({
  open: () => openPgliteSql({ memory: true }),
  cleanup: async () => undefined,
}));

storeSuite('PostgreSQL', () => {
  const admin = inject('postgresUrl');
  const name = `rp9_store_test_${randomBytes(4).toString('hex')}`;
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return {
    async open() {
      const client = new pg.Client({ connectionString: admin });
      await client.connect();
      await client.query(`create database ${name}`);
      await client.end();
      return openPgSql(url.toString());
    },
    async cleanup() {
      const client = new pg.Client({ connectionString: admin });
      await client.connect();
      await client.query(`drop database if exists ${name} with (force)`);
      await client.end();
    },
  };
});
