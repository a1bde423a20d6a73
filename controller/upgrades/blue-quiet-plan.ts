// The decisions around a quiet blue, pure: whether blue can be kept quiet at
// all (the swap activates with n8n's CLI in blue's running main, which only
// n8n 2.x in queue mode does; a 1.x blue keeps the copy's active workflows as
// before), which of the copy's active workflows are quieted (those that fire
// by themselves, self-firing.ts), and what the swap activates on blue once the
// route moved (what is active on green at its stop and not yet on blue) from
// blue's own export.
import { n8nLineOf } from '../compile/n8n-env.js';
import { firesByItself } from './self-firing.js';

export type QuietMode = { mode: 'quiet' } | { mode: 'live'; reason: string };

/** Quiet for a 2.x blue; live (today's behaviour: blue's triggers run beside green's until the swap) for a 1.x blue. */
export function quietModeFor(toVersion: string): QuietMode {
  if (n8nLineOf(toVersion) === 'v2') return { mode: 'quiet' };
  return { mode: 'live', reason: `blue runs n8n ${toVersion}: its CLI cannot activate a workflow in a running instance (import deactivates), so blue keeps the copy's active workflows and their schedule and polling triggers run beside green's until the swap` };
}

/** An active workflow as the copy holds it: its draft's nodes and, where n8n keeps it apart (workflow_history), the active version's. */
export interface ActiveWorkflow {
  id: string;
  nodes: unknown;
  activeNodes?: unknown;
  /** The draft's version (workflow_entity.versionId) and the active one, where the schema has them. */
  versionId?: string | null;
  activeVersionId?: string | null;
}

/** What copy-database journals as `quiet` for a 2.x blue. */
export interface QuietCopy {
  mode: 'quiet';
  /** Every workflow active on the copy (green's at the copy), sorted. */
  active: string[];
  /** Of those, the ones that fire by themselves, marked inactive on blue until the swap, sorted. */
  quiet: string[];
  /**
   * Quieted workflows whose draft is not their active version (n8n 2.x: an edit not yet published): id → the active
   * version id, so the swap activates that version and keeps the draft, not the draft published.
   */
  published?: Record<string, string>;
}

/** The copy's workflows to quiet: the active ones that fire by themselves (unknown triggers count), sorted in code-unit order. */
export function quietSet(active: readonly ActiveWorkflow[]): QuietCopy {
  const ids = active.map((w) => w.id).sort();
  const quieted = active.filter((w) => firesByItself(w.nodes, w.activeNodes));
  const quiet = quieted.map((w) => w.id).sort();
  const published = Object.fromEntries(quieted.filter((w) => w.activeVersionId && w.versionId && w.activeVersionId !== w.versionId && w.activeNodes !== undefined).map((w) => [w.id, w.activeVersionId as string]));
  return { mode: 'quiet', active: ids, quiet, ...(Object.keys(published).length > 0 ? { published } : {}) };
}

/** The journaled quiet copy, or undefined for a live blue (1.x) and an upgrade journaled before blue was kept quiet. */
export function quietOf(state: Record<string, unknown>): QuietCopy | undefined {
  const quiet = state.quiet as Partial<QuietCopy> | undefined;
  if (quiet?.mode !== 'quiet' || !Array.isArray(quiet.active) || !Array.isArray(quiet.quiet)) return undefined;
  const published = quiet.published && typeof quiet.published === 'object' ? { published: quiet.published } : {};
  return { mode: 'quiet', active: quiet.active, quiet: quiet.quiet, ...published };
}

export interface ActivationPlan {
  /** Active on green at its stop, not on blue: activated on blue (the quiet set, and what green changed since the copy). */
  activate: string[];
  /** Active on both already (webhook-only workflows, a re-run after a crash): left as they are. */
  already: string[];
  /** Active on blue only (n8n 2.0's migration publishes sub-workflows): left as n8n decided. */
  blueOnly: string[];
}

function sorted(ids: Iterable<string>): string[] {
  return [...new Set(ids)].sort();
}

export function activationPlan(greenActive: readonly string[], blueActive: readonly string[]): ActivationPlan {
  const green = new Set(greenActive);
  const blue = new Set(blueActive);
  return {
    activate: sorted(greenActive.filter((id) => !blue.has(id))),
    already: sorted(greenActive.filter((id) => blue.has(id))),
    blueOnly: sorted(blueActive.filter((id) => !green.has(id))),
  };
}

/** The import's items: blue's exported workflows of `ids`, marked active; `missing` names the ids blue's export lacks. */
export function activationItems(exported: readonly Record<string, unknown>[], ids: readonly string[]): { items: Record<string, unknown>[]; missing: string[] } {
  const byId = new Map(exported.map((w) => [String(w.id), w]));
  const items: Record<string, unknown>[] = [];
  const missing: string[] = [];
  for (const id of ids) {
    const workflow = byId.get(id);
    if (workflow) items.push({ ...workflow, active: true });
    else missing.push(id);
  }
  return { items, missing };
}

/**
 * A workflow green changed since the copy, as the swap's catch-up imports it into a quiet blue under the hold: one
 * that fires by itself goes in inactive (green's main still runs then), and is activated with the quiet set once
 * the route moved; any other keeps its JSON's active flag.
 */
export function carriedQuietly(item: Record<string, unknown>): Record<string, unknown> {
  if (item.active !== true) return item;
  const activeVersion = item.activeVersion as { nodes?: unknown } | null | undefined;
  return firesByItself(item.nodes, activeVersion?.nodes) ? { ...item, active: false } : item;
}

/** A workflow version's content as workflow_history holds it. */
export interface VersionContent {
  nodes: unknown;
  connections: unknown;
}

/**
 * The activation's items with a quieted workflow's unpublished draft set aside: its active version's nodes and
 * connections are what gets imported (and activated); `drafts` are the drafts (nodes, connections, versionId from
 * blue's export) the swap writes back once the import made that version active.
 */
export function withPublishedVersions(items: readonly Record<string, unknown>[], versions: Readonly<Record<string, VersionContent>>): { items: Record<string, unknown>[]; drafts: { id: string; nodes: unknown; connections: unknown; versionId: unknown }[] } {
  const drafts: { id: string; nodes: unknown; connections: unknown; versionId: unknown }[] = [];
  const out = items.map((item) => {
    const version = versions[String(item.id)];
    if (!version) return item;
    drafts.push({ id: String(item.id), nodes: item.nodes, connections: item.connections, versionId: item.versionId });
    return { ...item, nodes: version.nodes, connections: version.connections };
  });
  return { items: out, drafts };
}
