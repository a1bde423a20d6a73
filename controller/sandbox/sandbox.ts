// A restore sandbox is a dedicated tenant derived from a tenant in git: named
// `<tenant>-restore-<yyyymmdd>`, served at `<that name>.<platform domain>`,
// with its own database, volume, containers (main + workers) and route, all
// compiled by the same compile code as any dedicated tenant. Its Docker
// objects carry two more owner labels: which tenant it restores and when it
// expires. The reconcile loop never plans sandboxes (observe leaves them out);
// the operations loop removes them when they expire. Pure.
import type { LoadedTenant } from '../../config/types.js';
import { SANDBOX_NAME_PATTERN } from '../../config/reserved.js';
import { databaseName } from '../compile/names.js';
import type { DesiredTenant } from '../model.js';

export const SANDBOX_LABEL = {
  /** The tenant whose backup the sandbox runs. */
  of: 'rp9.io/sandbox-of',
  /** ISO time after which the operations loop removes it. */
  expiresAt: 'rp9.io/expires-at',
} as const;


export const DEFAULT_SANDBOX_TTL_MS = 24 * 3600_000;

/** `acme` restored on 2026-12-06 → `acme-restore-20261206`. */
export function sandboxName(tenant: string, now: Date): string {
  return `${tenant}-restore-${now.toISOString().slice(0, 10).replaceAll('-', '')}`;
}

/** A restore drill's sandbox: `acme` drilled on 2026-12-06 → `acme-drill-20261206` (never the name of a sandbox someone restored by hand). */
export function drillSandboxName(tenant: string, now: Date): string {
  return `${tenant}-drill-${now.toISOString().slice(0, 10).replaceAll('-', '')}`;
}

/** The tenant a sandbox restores, from its name (`acme-restore-20261206` → `acme`); undefined for a name that is not a sandbox's. */
export function sandboxOf(name: string): string | undefined {
  return isSandboxName(name) ? name.replace(SANDBOX_NAME_PATTERN, '') : undefined;
}

/** Names ending in `-restore-<8 digits>` or `-drill-<8 digits>` are sandboxes; validation keeps tenants in git from taking them. */
export function isSandboxName(name: string): boolean {
  return SANDBOX_NAME_PATTERN.test(name);
}

/** Why a sandbox name cannot be used (PostgreSQL and DNS limits), or undefined. */
export function sandboxNameProblem(name: string, domain: string): string | undefined {
  if (databaseName(name).length > 63) return `its database name ${databaseName(name)} is longer than PostgreSQL's 63 characters`;
  if (name.length > 63) return `it is longer than a DNS label's 63 characters`;
  if (`${name}.${domain}`.length > 253) return `its host ${name}.${domain} is longer than 253 characters`;
  return undefined;
}

/**
 * The tenant's document with the sandbox's name: dedicated, never suspended,
 * served at its own subdomain only (no custom domains, no promotion window).
 * Plan, resources and n8n version stay the tenant's.
 */
export function sandboxTenant(loaded: LoadedTenant, sandbox: string): LoadedTenant {
  const { customDomains: _domains, promotion: _promotion, ...spec } = loaded.tenant.spec;
  return {
    name: sandbox,
    file: loaded.file,
    generation: loaded.generation,
    tenant: {
      ...loaded.tenant,
      metadata: { ...loaded.tenant.metadata, name: sandbox },
      spec: { ...spec, mode: 'dedicated', subdomain: sandbox, customDomains: [], suspended: false },
    },
  };
}

/** Adds the sandbox owner labels to the sandbox's containers and volume. */
export function withSandboxLabels(desired: DesiredTenant, of: string, expiresAt: string): DesiredTenant {
  const labels = { [SANDBOX_LABEL.of]: of, [SANDBOX_LABEL.expiresAt]: expiresAt };
  return {
    ...desired,
    resources: desired.resources.map((r) => (r.kind === 'container' || r.kind === 'volume' ? { ...r, labels: { ...r.labels, ...labels } } : r)),
  };
}

export interface SandboxInventoryEntry {
  name: string;
  /** From the containers' labels; undefined when no container carries it (a restore that stopped before starting the stack). */
  of?: string;
  expiresAt?: Date;
  /** Resources found, as `<kind> <name>`. */
  resources: string[];
}

/**
 * Which sandboxes to remove now: expired ones, and ones without containers
 * (a restore that stopped half-way), unless a restore operation still works
 * on them.
 */
export function sandboxesToRemove(inventory: readonly SandboxInventoryEntry[], now: Date, busy: ReadonlySet<string>): SandboxInventoryEntry[] {
  return inventory.filter((s) => !busy.has(s.name) && (!s.expiresAt || s.expiresAt.getTime() <= now.getTime()));
}
