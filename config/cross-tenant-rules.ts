// Rules across tenants: names, subdomains and hostnames must be unique, and
// custom domains may not sit inside the platform's own domain.
import { makeDiagnostic, quote, type PathSegment } from './diagnostic.js';
import type { Locator } from './locator.js';
import type { Diagnostic, Platform, Tenant } from './types.js';

export interface CrossTenantInput {
  file: string;
  tenant: Tenant;
  locator: Locator;
}

/** `tenants` must be sorted by file: the first holder of a name keeps it, later ones are reported. */
export function checkCrossTenantRules(tenants: readonly CrossTenantInput[], platform: Platform | undefined): Diagnostic[] {
  const out: Diagnostic[] = [];
  const report = (input: CrossTenantInput, code: string, path: PathSegment[], message: string) => {
    out.push(makeDiagnostic(code, input.file, input.locator.locate(path), path, message));
  };

  const names = new Map<string, string>();
  const subdomains = new Map<string, string>();
  for (const input of tenants) {
    const { name } = input.tenant.metadata;
    const firstName = names.get(name);
    if (firstName !== undefined) report(input, 'tenant.name-duplicate', ['metadata', 'name'], `tenant name ${quote(name)} is already used by ${firstName}`);
    else names.set(name, input.file);

    const { subdomain } = input.tenant.spec;
    const firstSubdomain = subdomains.get(subdomain);
    if (firstSubdomain !== undefined) report(input, 'tenant.subdomain-duplicate', ['spec', 'subdomain'], `spec.subdomain ${quote(subdomain)} is already used by ${firstSubdomain}`);
    else subdomains.set(subdomain, input.file);
  }

  const domain = platform?.spec.domain;
  const customOwners = new Map<string, string>();
  for (const input of tenants) {
    input.tenant.spec.customDomains.forEach((host, index) => {
      const path: PathSegment[] = ['spec', 'customDomains', index];
      const inZone = domain !== undefined && (host === domain || host.endsWith(`.${domain}`));
      const label = inZone && host !== domain ? host.slice(0, -(domain!.length + 1)) : undefined;
      const subdomainOwner = label !== undefined ? subdomains.get(label) : undefined;
      const customOwner = customOwners.get(host);
      if (customOwner !== undefined) {
        report(input, 'tenant.domain-duplicate', path, `custom domain ${quote(host)} is already used by ${customOwner}`);
      } else if (subdomainOwner !== undefined) {
        report(input, 'tenant.domain-duplicate', path, `custom domain ${quote(host)} is the platform hostname of ${subdomainOwner} (spec.subdomain ${quote(label)})`);
      } else if (inZone) {
        report(input, 'tenant.domain-reserved', path, `custom domain ${quote(host)} is inside the platform domain ${quote(domain)}; hostnames there come from spec.subdomain`);
      }
      if (customOwner === undefined) customOwners.set(host, input.file);
    });
  }
  return out;
}
