// What a promotion compares and decides without I/O: the content of a
// tenant's workflows and credentials on each side (counts and hashes, the
// backup manifest's), which webhook paths its active workflows serve, and
// whether the freeze has outlived its budget. Pure.
import { credentialContent, summarizeExport, workflowContent, type ContentSummary } from '../backups/manifest.js';

export interface TenantContent {
  workflows: ContentSummary;
  credentials: ContentSummary;
}

export function tenantContent(workflows: readonly Record<string, unknown>[], credentials: readonly Record<string, unknown>[]): TenantContent {
  return { workflows: summarizeExport(workflows, workflowContent), credentials: summarizeExport(credentials, credentialContent) };
}

/** Lines naming each workflow or credential that is missing, extra or different on `actual`; empty when both sides hold the same. */
export function contentDifferences(expected: TenantContent, actual: TenantContent): string[] {
  const out: string[] = [];
  for (const what of ['workflows', 'credentials'] as const) {
    const want = new Map(expected[what].items.map((i) => [i.id, i.sha256]));
    const have = new Map(actual[what].items.map((i) => [i.id, i.sha256]));
    for (const [id, hash] of want) {
      if (!have.has(id)) out.push(`${what} ${id} is missing`);
      else if (have.get(id) !== hash) out.push(`${what} ${id} differs (sha256 ${have.get(id)?.slice(0, 12)} vs ${hash.slice(0, 12)})`);
    }
    for (const id of have.keys()) if (!want.has(id)) out.push(`${what} ${id} is extra`);
  }
  return out;
}

/** The production webhook paths of these workflows (Webhook nodes, by their `path` parameter). */
export function webhookPaths(workflows: readonly Record<string, unknown>[], ids: ReadonlySet<string>): string[] {
  const paths: string[] = [];
  for (const workflow of workflows) {
    if (!ids.has(String(workflow.id))) continue;
    for (const node of Array.isArray(workflow.nodes) ? (workflow.nodes as Record<string, unknown>[]) : []) {
      const path = (node.parameters as Record<string, unknown> | undefined)?.path;
      if (node.type === 'n8n-nodes-base.webhook' && typeof path === 'string' && path !== '') paths.push(path);
    }
  }
  return paths.sort();
}

/** Seconds the freeze has lasted, and whether that is past `ttlMinutes`. */
export function freezeState(frozenAt: string | undefined, ttlMinutes: number, now: Date): { seconds: number; expired: boolean } {
  if (!frozenAt) return { seconds: 0, expired: false };
  const seconds = Math.max(0, (now.getTime() - Date.parse(frozenAt)) / 1000);
  return { seconds, expired: seconds > ttlMinutes * 60 };
}
