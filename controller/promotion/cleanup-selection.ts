// What the shared n8n's cleanup after a promotion deletes: the tenant's
// workflows and credentials there that the dedicated n8n holds under the same
// id (the promotion's CLI import keeps ids). Anything else stays and is
// reported: a workflow made on shared after the move (the member can still log
// in there), or one active on shared (the promotion deactivated them all; an
// active one means someone turned it on again). Pure; table-tested.

export interface CleanupItem {
  id: string;
  /** Workflows only: whether it is active there. */
  active?: boolean;
}

export interface KeptItem {
  id: string;
  why: 'not-on-dedicated' | 'active-on-shared';
}

export interface CleanupSelection {
  workflows: string[];
  credentials: string[];
  kept: { workflows: KeptItem[]; credentials: KeptItem[] };
}

function select(shared: readonly CleanupItem[], dedicated: readonly CleanupItem[]): { remove: string[]; kept: KeptItem[] } {
  const moved = new Set(dedicated.map((item) => item.id));
  const remove: string[] = [];
  const kept: KeptItem[] = [];
  for (const item of [...shared].sort((a, b) => a.id.localeCompare(b.id))) {
    if (!moved.has(item.id)) kept.push({ id: item.id, why: 'not-on-dedicated' });
    else if (item.active === true) kept.push({ id: item.id, why: 'active-on-shared' });
    else remove.push(item.id);
  }
  return { remove, kept };
}

export function cleanupSelection(
  shared: { workflows: readonly CleanupItem[]; credentials: readonly CleanupItem[] },
  dedicated: { workflows: readonly CleanupItem[]; credentials: readonly CleanupItem[] },
): CleanupSelection {
  const workflows = select(shared.workflows, dedicated.workflows);
  const credentials = select(shared.credentials, dedicated.credentials);
  return { workflows: workflows.remove, credentials: credentials.remove, kept: { workflows: workflows.kept, credentials: credentials.kept } };
}

/** The items of a CLI export as cleanup items (id, and `active` for workflows). */
export function cleanupItems(exported: readonly Record<string, unknown>[]): CleanupItem[] {
  return exported.map((item) => ({ id: String(item.id), ...(typeof item.active === 'boolean' ? { active: item.active } : {}) }));
}
