// The dedicated tenant file of the real-n8n tests: starter plan, one queue
// worker, 1.5 GB (n8n 2.x on Node 24 needs more than the plan's default),
// optionally pinned to an n8n version.
export function realN8nTenantYaml(name: string, options: { version?: string; cpu?: number; memoryMb?: number; backupSchedules?: readonly string[] } = {}): string {
  return [
    'apiVersion: rp9.io/v1',
    'kind: Tenant',
    'metadata:',
    `  name: ${name}`,
    `  email: ops@${name}.example`,
    'spec:',
    '  plan: starter',
    '  mode: dedicated',
    '  region: us-east',
    `  subdomain: ${name}`,
    ...(options.version ? [`  n8n: { version: "${options.version}" }`] : []),
    `  resources: { workers: 1, memoryMb: ${options.memoryMb ?? 1536}, cpu: ${options.cpu ?? 1} }`,
    ...(options.backupSchedules ? [`  backups: { schedules: [${options.backupSchedules.join(', ')}] }`] : []),
    '',
  ].join('\n');
}
