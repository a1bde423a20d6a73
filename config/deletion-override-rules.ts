// spec.safety.allowDeletion may only name tenants that are gone from git: the
// override is spent once the removal is applied, and adding the tenant back
// means taking it off the list, so a stale entry can never cover a later,
// accidental removal of the same tenant.
import { makeDiagnostic, quote } from './diagnostic.js';
import type { Locator } from './locator.js';
import type { Diagnostic, Platform } from './types.js';

/** `tenantFiles`: the path of every tenant file, valid or not. */
export function checkDeletionOverride(file: string, platform: Platform, locator: Locator, tenantFiles: readonly string[]): Diagnostic[] {
  const names = platform.spec.safety.allowDeletion?.tenants ?? [];
  if (names.length === 0) return [];
  const present = new Map<string, string>();
  for (const path of tenantFiles) {
    const match = /^tenants\/([^/]+)\.ya?ml$/.exec(path);
    if (match?.[1]) present.set(match[1], path);
  }
  const out: Diagnostic[] = [];
  names.forEach((name, index) => {
    const path = present.get(name);
    if (path === undefined) return;
    const at = ['spec', 'safety', 'allowDeletion', 'tenants', index];
    out.push(
      makeDiagnostic(
        'platform.allow-deletion-tenant-exists',
        file,
        locator.locate(at),
        at,
        `spec.safety.allowDeletion.tenants names ${quote(name)}, which has a file (${path}); the override only covers removing a tenant, once: take ${quote(name)} off the list`,
      ),
    );
  });
  return out;
}
