// Applies pending migrations in one transaction under an advisory lock, so
// concurrent openers of one PostgreSQL database never apply a migration twice.
import { StoreError } from './errors.js';
import type { Migration } from './migrations/index.js';
import type { Sql } from './sql.js';

/** Advisory lock key for migrations ("rp9" + "mig" as bytes). */
const MIGRATION_LOCK_KEY = 0x7270396d6967;

export interface MigrateResult {
  applied: { version: number; name: string }[];
  version: number;
}

export async function migrate(sql: Sql, migrations: readonly Migration[]): Promise<MigrateResult> {
  checkOrder(migrations);
  const known = Math.max(0, ...migrations.map((m) => m.version));
  let current: Migration | undefined;
  try {
    return await sql.transaction(async (tx) => {
      await tx.query('select pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
      await tx.query(`create table if not exists schema_migrations (
        version integer primary key,
        name text not null,
        applied_at timestamptz not null default now()
      )`);
      const rows = await tx.query<{ version: number }>('select version from schema_migrations order by version');
      const done = new Set(rows.map((r) => Number(r.version)));
      const newest = Math.max(0, ...done);
      if (newest > known) {
        throw new StoreError(
          'store.schema-newer',
          `${sql.description}: the database schema is at version ${newest} but this rp9 knows migrations up to ${known}; upgrade rp9`,
        );
      }
      const applied: MigrateResult['applied'] = [];
      for (const migration of migrations) {
        if (done.has(migration.version)) continue;
        current = migration;
        for (const statement of migration.statements) await tx.query(statement);
        await tx.query('insert into schema_migrations (version, name) values ($1, $2)', [migration.version, migration.name]);
        applied.push({ version: migration.version, name: migration.name });
      }
      current = undefined;
      return { applied, version: known };
    });
  } catch (error) {
    if (error instanceof StoreError && (error.code === 'store.schema-newer' || error.code === 'store.unreachable')) throw error;
    const what = current ? `migration ${String(current.version).padStart(3, '0')}-${current.name}` : 'migrations';
    throw new StoreError('store.migration-failed', `${sql.description}: ${what} failed, nothing was applied: ${stripPrefix((error as Error).message, sql.description)}`);
  }
}

function checkOrder(migrations: readonly Migration[]): void {
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new StoreError('store.migration-failed', `migration list is out of order: entry ${index} has version ${migration.version}, expected ${index + 1}`);
    }
  });
}

function stripPrefix(message: string, description: string): string {
  return message.startsWith(`${description}: `) ? message.slice(description.length + 2) : message;
}
