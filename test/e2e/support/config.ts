// Inline config for end-to-end tests: platform.yaml and tenant files as YAML
// text, built from a few parameters so each test states only what it changes.

export interface PlatformInput {
  environment: string;
  domain?: string;
  image?: string;
  version?: string;
  maxDeletionPercent?: number;
  /** spec.safety.allowDeletion */
  allowDeletion?: { tenants: string[]; reason: string };
  /** spec.runtime; left out (docker) unless given. */
  runtime?: 'docker' | 'swarm';
}

export function platformYaml(input: PlatformInput): string {
  return `apiVersion: rp9.io/v1
kind: Platform
metadata:
  name: ${input.environment}
spec:
  domain: ${input.domain ?? `${input.environment}.test`}
  environment: ${input.environment}
${input.runtime ? `  runtime: ${input.runtime}\n` : ''}  regions:
    eu-west: { geography: eu }
  sharedN8n:
    url: http://n8n-shared:5678
    version: "${input.version ?? '1.123.4'}"
  dedicated:
    image: ${input.image ?? 'rp9/n8n'}
    n8nVersion: "${input.version ?? '1.123.4'}"
  plans:
    starter:
      cpu: 0.5
      memoryMb: 128
      workers: 1
      storageGb: 1
      executionsMonthly: 1000
      concurrentExecutions: 2
      apiCallsHourly: 1000
      ceiling: { cpu: 1, memoryMb: 512, workers: 3, storageGb: 2 }
  safety:
    maxDeletionPercent: ${input.maxDeletionPercent ?? 100}
${input.allowDeletion ? `    allowDeletion: { tenants: [${input.allowDeletion.tenants.join(', ')}], reason: ${JSON.stringify(input.allowDeletion.reason)} }\n` : ''}`;
}

export interface TenantInput {
  name: string;
  mode?: 'shared' | 'dedicated';
  /** metadata.displayName, written as a double-quoted YAML scalar. */
  displayName?: string;
  subdomain?: string;
  customDomains?: string[];
  cpu?: number;
  memoryMb?: number;
  workers?: number;
  suspended?: boolean;
  suspendedReason?: string;
  /** spec.throttle as flow YAML, e.g. `{ reason: "enforcement: …", limit: apiCallsHourly, requestsPerMinute: 17, burst: 17 }`. */
  throttle?: string;
  /** spec.maintenance.windows as flow YAML, e.g. `[{ weekdays: [0], startHourUtc: 22 }]`. */
  maintenanceWindows?: string;
}

export function tenantYaml(input: TenantInput): string {
  const mode = input.mode ?? 'dedicated';
  const lines = [
    'apiVersion: rp9.io/v1',
    'kind: Tenant',
    'metadata:',
    `  name: ${input.name}`,
    ...(input.displayName !== undefined ? [`  displayName: ${JSON.stringify(input.displayName)}`] : []),
    `  email: ops@${input.name}.test`,
    'spec:',
    '  plan: starter',
    `  mode: ${mode}`,
    '  region: eu-west',
    `  subdomain: ${input.subdomain ?? input.name}`,
  ];
  if (input.customDomains?.length) lines.push(`  customDomains: [${input.customDomains.join(', ')}]`);
  if (input.suspended !== undefined) lines.push(`  suspended: ${input.suspended}`);
  if (input.suspendedReason !== undefined) lines.push(`  suspendedReason: ${JSON.stringify(input.suspendedReason)}`);
  if (input.throttle) lines.push(`  throttle: ${input.throttle}`);
  if (input.maintenanceWindows) lines.push(`  maintenance: { windows: ${input.maintenanceWindows} }`);
  if (mode === 'dedicated') {
    const resources = [`cpu: ${input.cpu ?? 0.5}`, `memoryMb: ${input.memoryMb ?? 128}`, `workers: ${input.workers ?? 1}`];
    lines.push(`  resources: { ${resources.join(', ')} }`);
  }
  return `${lines.join('\n')}\n`;
}

/** `tenants/<name>.yaml` → text, for createConfigRepo / commitFiles. */
export function tenantFile(input: TenantInput): Record<string, string> {
  return { [`tenants/${input.name}.yaml`]: tenantYaml(input) };
}
