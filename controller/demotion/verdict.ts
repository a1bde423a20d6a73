// Whether the shared n8n holds what the dedicated one did, after a demotion's
// import and activation. Pure. The tenant's personal project on shared may
// hold more than the export: what it had before its promotion and deleted on
// dedicated since (deactivated by the promotion). Those are tolerated while
// inactive and named in the journal; anything missing, different, or active
// beyond the recorded set fails the demotion.
import type { TenantContent } from '../promotion/content.js';

export interface DemotionVerdictInput {
  /** The dedicated n8n's workflows and credentials (what was exported). */
  source: TenantContent;
  /** The tenant's personal project on the shared n8n after the import. */
  target: TenantContent;
  /** Ids of the project's workflows active on shared. */
  targetActive: readonly string[];
  /** The workflows that were active on dedicated before the freeze. */
  recorded: readonly string[];
}

export interface DemotionVerdict {
  ok: boolean;
  problems: string[];
  /** Workflows and credentials on shared that the dedicated n8n no longer had (inactive, kept). */
  leftOnShared: string[];
}

export function demotionVerdict(input: DemotionVerdictInput): DemotionVerdict {
  const problems: string[] = [];
  const leftOnShared: string[] = [];
  for (const what of ['workflows', 'credentials'] as const) {
    const have = new Map(input.target[what].items.map((i) => [i.id, i.sha256]));
    const want = new Set(input.source[what].items.map((i) => i.id));
    for (const item of input.source[what].items) {
      const hash = have.get(item.id);
      if (hash === undefined) problems.push(`${what} ${item.id} is missing`);
      else if (hash !== item.sha256) problems.push(`${what} ${item.id} differs (sha256 ${hash.slice(0, 12)} vs ${item.sha256.slice(0, 12)})`);
    }
    for (const id of have.keys()) if (!want.has(id)) leftOnShared.push(`${what} ${id}`);
  }
  const recorded = new Set(input.recorded);
  const active = new Set(input.targetActive);
  for (const id of [...recorded].sort()) if (!active.has(id)) problems.push(`workflows ${id} is not active on shared`);
  for (const id of [...active].sort()) if (!recorded.has(id)) problems.push(`workflows ${id} is active on shared but was not on dedicated`);
  return { ok: problems.length === 0, problems, leftOnShared: leftOnShared.sort() };
}
