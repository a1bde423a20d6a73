// Which restored workflow a restore drill executes, pure: one tagged
// `rp9-smoke` first (the tenant's choice), else the first by id that n8n's
// CLI can start (a Manual Trigger or an Execute Workflow Trigger node);
// archived workflows never. Executing runs the workflow's nodes for real in
// the sandbox, so a tenant whose manual workflows have outside effects tags a
// harmless one.
export interface SmokeCandidate {
  id: string;
  name: string;
  why: 'tagged rp9-smoke' | 'manual trigger';
}

export interface SmokeResult {
  ok: boolean;
  /** Why not, or a short summary. */
  detail: string;
  /** Nodes that ran, when n8n said. */
  nodesRun?: number;
}

export const SMOKE_TAG = 'rp9-smoke';
const STARTABLE = new Set(['n8n-nodes-base.manualTrigger', 'n8n-nodes-base.executeWorkflowTrigger']);

function tagNames(workflow: Record<string, unknown>): string[] {
  const tags = Array.isArray(workflow.tags) ? workflow.tags : [];
  return tags.map((t) => (typeof t === 'string' ? t : typeof (t as { name?: unknown })?.name === 'string' ? (t as { name: string }).name : '')).filter(Boolean);
}

function startable(workflow: Record<string, unknown>): boolean {
  const nodes = Array.isArray(workflow.nodes) ? (workflow.nodes as { type?: unknown; disabled?: unknown }[]) : [];
  return nodes.some((n) => typeof n.type === 'string' && STARTABLE.has(n.type) && n.disabled !== true);
}

export function smokeCandidate(workflows: readonly Record<string, unknown>[]): SmokeCandidate | undefined {
  const usable = workflows
    .filter((w) => typeof w.id === 'string' && w.isArchived !== true && startable(w))
    .sort((a, b) => String(a.id).localeCompare(String(b.id)));
  const tagged = usable.find((w) => tagNames(w).includes(SMOKE_TAG));
  const chosen = tagged ?? usable[0];
  if (!chosen) return undefined;
  return { id: String(chosen.id), name: typeof chosen.name === 'string' ? chosen.name : '', why: tagged ? 'tagged rp9-smoke' : 'manual trigger' };
}
