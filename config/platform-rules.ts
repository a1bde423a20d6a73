// Rules over a schema-valid platform.yaml beyond what JSON Schema can say.
import { makeDiagnostic, quote, type PathSegment } from './diagnostic.js';
import type { Locator } from './locator.js';
import type { Diagnostic, Platform } from './types.js';
import { isExactVersion } from './version.js';

const RESOURCES = ['cpu', 'memoryMb', 'workers', 'storageGb'] as const;

export function checkPlatformRules(file: string, platform: Platform, locator: Locator): Diagnostic[] {
  const out: Diagnostic[] = [];
  const report = (code: string, path: PathSegment[], message: string) => {
    out.push(makeDiagnostic(code, file, locator.locate(path), path, message));
  };
  const { spec } = platform;
  if (!isExactVersion(spec.sharedN8n.version)) {
    report('tenant.version-invalid', ['spec', 'sharedN8n', 'version'], `spec.sharedN8n.version ${quote(spec.sharedN8n.version)} is not an exact semantic version like "1.123.4"`);
  }
  if (!isExactVersion(spec.dedicated.n8nVersion)) {
    report('tenant.version-invalid', ['spec', 'dedicated', 'n8nVersion'], `spec.dedicated.n8nVersion ${quote(spec.dedicated.n8nVersion)} is not an exact semantic version like "1.123.4"`);
  }
  for (const [name, plan] of Object.entries(spec.plans)) {
    for (const resource of RESOURCES) {
      if (plan[resource] > plan.ceiling[resource]) {
        report('platform.invalid', ['spec', 'plans', name, 'ceiling', resource], `plan ${quote(name)}: ceiling.${resource} ${plan.ceiling[resource]} is below the plan's own ${resource} ${plan[resource]}`);
      }
    }
  }
  const { warningPercent, throttlePercent, suspendPercent } = spec.policies.enforcement;
  if (!(warningPercent <= throttlePercent && throttlePercent <= suspendPercent)) {
    report('platform.invalid', ['spec', 'policies', 'enforcement'], `enforcement thresholds must rise: warningPercent (${warningPercent}) ≤ throttlePercent (${throttlePercent}) ≤ suspendPercent (${suspendPercent})`);
  }
  for (const [id, plan] of Object.entries(spec.billing.stripePlans)) {
    if (!(plan in spec.plans)) {
      report('platform.unknown-plan', ['spec', 'billing', 'stripePlans', id], `spec.billing.stripePlans maps ${quote(id)} to plan ${quote(plan)}, which spec.plans does not define (plans: ${Object.keys(spec.plans).join(', ')})`);
    }
  }
  for (const plan of Object.keys(spec.prices?.plans ?? {})) {
    if (!(plan in spec.plans)) {
      report('platform.unknown-plan', ['spec', 'prices', 'plans', plan], `spec.prices.plans prices plan ${quote(plan)}, which spec.plans does not define (plans: ${Object.keys(spec.plans).join(', ')})`);
    }
  }
  return out;
}
