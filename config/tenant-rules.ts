// Rules over one schema-valid tenant: its file name, version, shared/dedicated
// restrictions, and (when platform.yaml is usable) its plan, region and resources.
import { makeDiagnostic, quote, type PathSegment } from './diagnostic.js';
import type { Locator } from './locator.js';
import { BUILTIN_RESERVED_SUBDOMAINS, SANDBOX_NAME_PATTERN } from './reserved.js';
import { closest } from './schema-messages.js';
import type { Diagnostic, Platform, Tenant } from './types.js';
import type { Resources } from '../types/tenant.js';
import { isExactVersion } from './version.js';

/** The emergency override of maintenance windows (controller/maintenance/windows.ts reads it). */
export const MAINTENANCE_OVERRIDE_LABEL = 'rp9.io/maintenance-override';

export function isOverrideTime(value: string): boolean {
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(value) && !Number.isNaN(new Date(value).getTime());
}

export interface TenantRuleInput {
  file: string;
  tenant: Tenant;
  locator: Locator;
}

type Report = (code: string, path: PathSegment[], message: string, target?: 'key' | 'value', severity?: Diagnostic['severity']) => void;

function reporter(input: TenantRuleInput, out: Diagnostic[]): Report {
  return (code, path, message, target = 'value', severity = 'error') => {
    out.push(makeDiagnostic(code, input.file, input.locator.locate(path, target), path, message, severity));
  };
}

/** `tenants/acme.yaml` → `acme`. */
export function tenantNameFromPath(path: string): string {
  const base = path.slice(path.lastIndexOf('/') + 1);
  return base.replace(/\.ya?ml$/, '');
}

/** Rules that need nothing but the tenant's own file. */
export function checkTenantOwnRules(input: TenantRuleInput, platform: Platform | undefined): Diagnostic[] {
  const out: Diagnostic[] = [];
  const report = reporter(input, out);
  const { metadata, spec } = input.tenant;

  const expected = tenantNameFromPath(input.file);
  if (metadata.name !== expected) {
    report('tenant.name-mismatch', ['metadata', 'name'], `metadata.name ${quote(metadata.name)} does not match the file name ${quote(input.file)}; the file must be tenants/${metadata.name}.yaml (or set metadata.name: ${expected})`);
  }
  if (SANDBOX_NAME_PATTERN.test(metadata.name)) {
    report('tenant.name-reserved', ['metadata', 'name'], `metadata.name ${quote(metadata.name)} ends in -restore-<yyyymmdd> or -drill-<yyyymmdd>, which name restore sandboxes (rp9 restore --sandbox, rp9 drills run); choose another name`);
  }
  if (spec.n8n && !isExactVersion(spec.n8n.version)) {
    report('tenant.version-invalid', ['spec', 'n8n', 'version'], `spec.n8n.version ${quote(spec.n8n.version)} is not an exact semantic version like "1.123.4"`);
  }
  if (spec.mode === 'shared') {
    const dedicatedOnly = (path: PathSegment[], what: string) =>
      report('tenant.dedicated-only', path, `${what} is only allowed on dedicated tenants; this tenant has spec.mode "shared"`, 'key');
    if (spec.customDomains.length > 0) dedicatedOnly(['spec', 'customDomains'], 'spec.customDomains');
    if (spec.n8n) dedicatedOnly(['spec', 'n8n'], 'spec.n8n (a pinned n8n version)');
    if (spec.resources) dedicatedOnly(['spec', 'resources'], 'spec.resources');
    if (spec.throttle?.concurrency !== undefined) dedicatedOnly(['spec', 'throttle', 'concurrency'], 'spec.throttle.concurrency (n8n\'s production concurrency limit)');
    // A promotion moves a tenant whose file says `mode: dedicated`; on a shared tenant it would wait forever.
    if (spec.promotion) {
      report('tenant.promotion-needs-dedicated', ['spec', 'promotion'], 'spec.promotion moves a tenant to its dedicated n8n only when spec.mode is "dedicated"; on a shared tenant nothing ever moves. Set spec.mode: dedicated (the promotion bot\'s PR does both) or remove spec.promotion', 'key');
    }
  }
  const override = metadata.labels?.[MAINTENANCE_OVERRIDE_LABEL];
  if (override !== undefined && !isOverrideTime(override)) {
    report('tenant.maintenance-override-invalid', ['metadata', 'labels', MAINTENANCE_OVERRIDE_LABEL], `label ${MAINTENANCE_OVERRIDE_LABEL} ${quote(override)} is not an RFC 3339 time with a zone, like "2026-12-06T18:00:00Z": downtime changes apply at once until that time`);
  }
  if (spec.suspendedReason !== undefined && !spec.suspended) {
    report('tenant.suspended-reason-unsuspended', ['spec', 'suspendedReason'], 'spec.suspendedReason is set but spec.suspended is not true; remove the reason or suspend the tenant', 'key');
  }
  const reserved = BUILTIN_RESERVED_SUBDOMAINS.includes(spec.subdomain)
    ? 'built in'
    : SANDBOX_NAME_PATTERN.test(spec.subdomain)
      ? 'it ends in -restore-<yyyymmdd> or -drill-<yyyymmdd>, which serve restore sandboxes'
    : platform?.spec.reservedSubdomains.includes(spec.subdomain)
      ? 'listed in platform.yaml spec.reservedSubdomains'
      : undefined;
  if (reserved) {
    report('tenant.subdomain-reserved', ['spec', 'subdomain'], `spec.subdomain ${quote(spec.subdomain)} is reserved for the platform (${reserved}); choose another subdomain`);
  }
  return out;
}

const RESOURCE_MINIMUM = { cpu: 0.5, memoryMb: 128, workers: 1, storageGb: 1 } as const;
type ResourceName = keyof typeof RESOURCE_MINIMUM;

/**
 * Below the minimum is always an error. Above the plan's ceiling is an error,
 * unless `spec.resources.ceilingException` grants it (a reviewed exception):
 * then each value above the ceiling is a warning, and an exception that
 * nothing uses is a warning too, so it gets removed.
 */
function checkResourceRange(resources: Resources, planName: string, ceiling: Record<ResourceName, number>, report: Report): void {
  const exception = resources.ceilingException;
  let beyond = 0;
  for (const name of Object.keys(RESOURCE_MINIMUM) as ResourceName[]) {
    const value = resources[name];
    if (value === undefined) continue;
    const min = RESOURCE_MINIMUM[name];
    const max = ceiling[name];
    const path = ['spec', 'resources', name];
    if (value < min) {
      report('tenant.resources-out-of-range', path, `spec.resources.${name} ${value} is below the minimum ${min} (the ${planName} plan allows ${min}–${max})`);
    } else if (value > max) {
      if (!exception) {
        report('tenant.resources-out-of-range', path, `spec.resources.${name} ${value} is above the ${planName} plan's ceiling ${max} (range ${min}–${max}); move the tenant to a larger plan, or grant a reviewed exception with spec.resources.ceilingException.reason`);
        continue;
      }
      beyond += 1;
      report('tenant.resources-beyond-ceiling', path, `spec.resources.${name} ${value} is above the ${planName} plan's ceiling ${max}, allowed by spec.resources.ceilingException (${quote(exception.reason)})`, 'value', 'warning');
    }
  }
  if (exception && beyond === 0) {
    report('tenant.ceiling-exception-unused', ['spec', 'resources', 'ceilingException'], `spec.resources.ceilingException is set but every resource is within the ${planName} plan's ceiling; remove it`, 'key', 'warning');
  }
}

/** Rules that read platform.yaml: plan, region, ceilings, residency. Run only when platform.yaml is schema-valid. */
export function checkTenantPlatformRules(input: TenantRuleInput, platform: Platform): Diagnostic[] {
  const out: Diagnostic[] = [];
  const report = reporter(input, out);
  const { spec } = input.tenant;
  const plans = Object.keys(platform.spec.plans);
  const regions = Object.keys(platform.spec.regions);

  const plan = Object.hasOwn(platform.spec.plans, spec.plan) ? platform.spec.plans[spec.plan] : undefined;
  if (!plan) {
    const hint = closest(spec.plan, plans);
    report('tenant.plan-unknown', ['spec', 'plan'], `spec.plan ${quote(spec.plan)} is not a plan in platform.yaml; plans: ${plans.join(', ')}${hint ? ` (did you mean "${hint}"?)` : ''}`);
  }
  const region = Object.hasOwn(platform.spec.regions, spec.region) ? platform.spec.regions[spec.region] : undefined;
  if (!region) {
    const hint = closest(spec.region, regions);
    report('tenant.region-unknown', ['spec', 'region'], `spec.region ${quote(spec.region)} is not a region in platform.yaml; regions: ${regions.join(', ')}${hint ? ` (did you mean "${hint}"?)` : ''}`);
  }

  if (plan && spec.mode === 'dedicated' && spec.resources) checkResourceRange(spec.resources, spec.plan, plan.ceiling, report);
  if (plan?.requiresDedicated && spec.mode === 'shared' && !spec.promotion) {
    report('tenant.enterprise-requires-dedicated', ['spec', 'mode'], `plan ${quote(spec.plan)} requires dedicated infrastructure: set spec.mode: dedicated, with a spec.promotion window to schedule the move of its workflows`);
  }
  const residency = spec.compliance?.dataResidency;
  if (residency !== undefined && region && region.geography !== residency) {
    report('tenant.residency-region-mismatch', ['spec', 'compliance', 'dataResidency'], `spec.compliance.dataResidency is ${quote(residency)} but region ${quote(spec.region)} is in geography ${quote(region.geography)}; pick a region in ${quote(residency)}`);
  }
  return out;
}
