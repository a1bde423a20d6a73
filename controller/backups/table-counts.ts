// Row counts of the main n8n tables of a tenant database, for the manifest
// (and for comparing a restore with its backup). Missing tables are skipped.
import pg from 'pg';

export const N8N_TABLES = ['workflow_entity', 'credentials_entity', 'execution_entity', 'webhook_entity', 'user', 'project', 'shared_workflow', 'shared_credentials', 'tag_entity', 'variables'] as const;

export async function countTables(url: string): Promise<Record<string, number>> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    const present = await client.query<{ table_name: string }>(
      `select table_name from information_schema.tables where table_schema = 'public' and table_name = any($1::text[])`,
      [N8N_TABLES as unknown as string[]],
    );
    const counts: Record<string, number> = {};
    for (const { table_name: name } of present.rows.sort((a, b) => a.table_name.localeCompare(b.table_name))) {
      const result = await client.query<{ n: string }>(`select count(*)::text as n from public."${name.replaceAll('"', '""')}"`);
      counts[name] = Number(result.rows[0]?.n ?? 0);
    }
    return counts;
  } finally {
    await client.end().catch(() => undefined);
  }
}
