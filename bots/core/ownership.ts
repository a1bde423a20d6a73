// Which bot may change which fields of a tenant file, and the field-level
// difference between two versions of a file: `rp9 check-pr` refuses a bot PR
// that touches a field its bot doesn't own.
import { isDeepStrictEqual } from 'node:util';
import { BotError } from './errors.js';
import { childPath } from './paths.js';
import { parseYamlStrict } from './yaml-edit.js';
import { isPlainObject } from './yaml-render.js';
import type { BotName } from './types.js';

/** Dotted field prefixes each bot owns. A field is owned when it equals a prefix or lies under it. */
export const ownedFields: Readonly<Record<BotName, readonly string[]>> = {
  autoscale: ['spec.resources'],
  promotion: ['spec.mode', 'spec.promotion'],
  upgrades: ['spec.n8n.version'],
  enforcement: ['spec.suspended', 'spec.suspendedReason', 'spec.throttle'],
  'stripe-sync': ['spec.plan', 'spec.limits', 'spec.billing', 'spec.resources.ceilingException'],
};

/**
 * rp9's own branches that are no bot's (`rp9/<purpose>/<tenant>`) and the fields each may change:
 * `rp9 tenant promote` sets spec.mode and spec.promotion; `rp9 tenant failover` (and the API's failover
 * route, on the same branch) and the promotion's rollback PR also remove the fields a shared tenant may not
 * carry (bots/promotion/edits.ts, demotionEdits);
 * the upgrade's revert PR (controller/upgrades/revert-pr.ts) sets spec.n8n.version back. The HTTP API's
 * branches (controller/http/api/) own what their route edits; `api-create` owns no field of an existing
 * file: it may only add its tenant's file (mayCreateTenantFile).
 */
export const purposeOwnedFields = {
  promote: ['spec.mode', 'spec.promotion'],
  'promotion-rollback': ['spec.mode', 'spec.promotion', 'spec.customDomains', 'spec.n8n', 'spec.resources', 'spec.throttle.concurrency'],
  failover: ['spec.mode', 'spec.promotion', 'spec.customDomains', 'spec.n8n', 'spec.resources', 'spec.throttle.concurrency'],
  'upgrade-revert': ['spec.n8n.version'],
  'api-create': [],
  'api-scale': ['spec.resources'],
  'api-promote': ['spec.mode', 'spec.promotion'],
  'api-upgrade': ['spec.n8n.version'],
} as const satisfies Record<string, readonly string[]>;

export type BranchPurpose = keyof typeof purposeOwnedFields;
/** Who a branch `rp9/<owner>/<tenant>` belongs to: a bot or a purpose. */
export type BranchOwner = BotName | BranchPurpose;

export function isBranchPurpose(name: string): name is BranchPurpose {
  return Object.hasOwn(purposeOwnedFields, name);
}

/** Purposes whose branch adds the tenant's file (POST /tenants); no other owner may create or delete one. */
const FILE_CREATING_PURPOSES: readonly BranchOwner[] = ['api-create'];

export function mayCreateTenantFile(owner: BranchOwner): boolean {
  return FILE_CREATING_PURPOSES.includes(owner);
}

export interface OwnershipViolation {
  code: 'bots.field-not-owned';
  bot: BranchOwner;
  field: string;
  message: string;
}

function collectLeaves(value: unknown, prefix: string, out: string[]): void {
  if (isPlainObject(value) && Object.keys(value).length > 0) {
    for (const [key, item] of Object.entries(value)) collectLeaves(item, childPath(prefix, key), out);
    return;
  }
  if (Array.isArray(value) && value.length > 0) {
    value.forEach((item, index) => collectLeaves(item, childPath(prefix, index), out));
    return;
  }
  out.push(prefix);
}

function diff(before: unknown, after: unknown, prefix: string, out: string[]): void {
  if (isDeepStrictEqual(before, after)) return;
  if (isPlainObject(before) && isPlainObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
    for (const key of keys) {
      const path = childPath(prefix, key);
      if (!(key in after)) collectLeaves(before[key], path, out);
      else if (!(key in before)) collectLeaves(after[key], path, out);
      else diff(before[key], after[key], path, out);
    }
    return;
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    for (let index = 0; index < Math.max(before.length, after.length); index += 1) {
      const path = childPath(prefix, index);
      if (index >= after.length) collectLeaves(before[index], path, out);
      else if (index >= before.length) collectLeaves(after[index], path, out);
      else diff(before[index], after[index], path, out);
    }
    return;
  }
  out.push(prefix);
}

/**
 * Dotted paths of the leaves that differ between two versions of a YAML file
 * (`spec.resources.workers`, `spec.customDomains[1]`, `metadata.labels["rp9.io/canary"]`),
 * sorted. Comments and formatting don't count. Throws `bots.yaml-invalid` on unparsable input.
 */
export function changedFields(beforeYaml: string, afterYaml: string, files: { before?: string; after?: string } = {}): string[] {
  const before = parseYamlStrict(beforeYaml, files.before ?? '<before>').toJS() as unknown;
  const after = parseYamlStrict(afterYaml, files.after ?? '<after>').toJS() as unknown;
  const out: string[] = [];
  diff(before, after, '', out);
  return [...new Set(out)].sort();
}

function isUnder(field: string, prefix: string): boolean {
  if (field === prefix) return true;
  if (!field.startsWith(prefix)) return false;
  const next = field[prefix.length];
  return next === '.' || next === '[';
}

/** The changed fields a bot doesn't own; empty when the change is the bot's to make. */
export function checkOwnership(bot: BranchOwner, fields: readonly string[]): OwnershipViolation[] {
  const owned: readonly string[] | undefined = isBranchPurpose(bot) ? purposeOwnedFields[bot] : Object.hasOwn(ownedFields, bot) ? ownedFields[bot] : undefined;
  if (!owned) throw new BotError('bots.unknown-bot', `unknown bot "${String(bot)}"`);
  return fields
    .filter((field) => !owned.some((prefix) => isUnder(field, prefix)))
    .map((field) => ({
      code: 'bots.field-not-owned' as const,
      bot,
      field,
      message: `${bot} may not change ${field === '' ? 'the whole document' : field} (it owns ${owned.length > 0 ? owned.join(', ') : 'no field of an existing file'})`,
    }));
}
