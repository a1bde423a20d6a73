// The enforcement bot's usage read: three instant queries (usage-queries.ts)
// merged by tenant. Any failing query fails the read, so the bot never
// enforces on half a picture.
import type { TenantUsage } from '../enforcement/levels.js';
import type { PrometheusClient } from './prometheus-client.js';
import { usageQueries, type UsageField } from './usage-queries.js';

export async function tenantUsage(client: PrometheusClient, now: Date, labels: Record<string, string> = {}): Promise<Map<string, TenantUsage>> {
  const queries = usageQueries(labels);
  const fields = Object.keys(queries) as UsageField[];
  const answers = await Promise.all(fields.map((field) => client.instantVector(queries[field], now)));
  const byTenant = new Map<string, TenantUsage>();
  fields.forEach((field, i) => {
    for (const sample of answers[i] ?? []) {
      const tenant = sample.labels.tenant;
      if (!tenant || !Number.isFinite(sample.value)) continue;
      const entry = byTenant.get(tenant) ?? {};
      entry[field] = sample.value;
      byTenant.set(tenant, entry);
    }
  });
  return byTenant;
}
