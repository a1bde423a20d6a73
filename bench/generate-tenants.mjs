// Writes a config repo with `count` varied, valid tenants (all plans, both
// modes, custom domains, labels, compliance, promotions, non-ASCII names, a
// few block scalars) for benchmarks.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const REGIONS = [
  ['us-east', 'us'],
  ['us-west', 'us'],
  ['eu-west', 'eu'],
  ['eu-central', 'eu'],
];
const CEILING = {
  starter: { cpu: 2, memoryMb: 2048, workers: 2, storageGb: 10 },
  pro: { cpu: 4, memoryMb: 4096, workers: 4, storageGb: 40 },
  enterprise: { cpu: 8, memoryMb: 16384, workers: 8, storageGb: 200 },
};

export function tenantYaml(i) {
  const name = `tenant-${String(i).padStart(5, '0')}`;
  const plan = ['starter', 'pro', 'enterprise'][i % 3];
  const dedicated = plan === 'enterprise' ? i % 2 === 0 : i % 4 === 1;
  const [region, geography] = REGIONS[i % REGIONS.length];
  const ceiling = CEILING[plan];
  const lines = [
    '# yaml-language-server: $schema=../schemas/tenant.schema.json',
    'apiVersion: rp9.io/v1',
    'kind: Tenant',
    'metadata:',
    `  name: ${name}`,
    `  displayName: ${i % 10 === 3 ? `Café Zürich ${i} GmbH` : `Customer ${i} Ltd.`}`,
    `  email: ops+${i}@customer${i}.example`,
  ];
  if (i % 5 === 0) lines.push('  labels:', `    rp9.io/canary: "${i % 10 === 0 ? 'true' : 'false'}"`, `    team: team-${i % 17}`);
  lines.push('spec:', `  plan: ${plan}`, `  mode: ${dedicated ? 'dedicated' : 'shared'}`, `  region: ${region}`, `  subdomain: ${name}`);
  if (dedicated) {
    if (i % 3 !== 1) lines.push(`  customDomains: [n8n.customer${i}.example, flows.customer${i}.example]`);
    lines.push(`  n8n: { version: "1.${100 + (i % 24)}.${i % 7}" }`);
    lines.push(`  resources: { cpu: ${Math.max(1, (i % ceiling.cpu) + 0.5)}, memoryMb: ${1024 * (1 + (i % (ceiling.memoryMb / 1024)))}, workers: ${1 + (i % ceiling.workers)}, storageGb: ${1 + (i % ceiling.storageGb)} }`);
  }
  if (plan === 'enterprise' && !dedicated) {
    lines.push('  promotion:', `    window: "2026-12-${String(1 + (i % 28)).padStart(2, '0')}T22:00:00Z"`, '    ttlMinutes: 10');
    // A few use a folded block scalar, which the fast path leaves to the full YAML parser.
    if (i % 30 === 5) lines.push('    reason: >-', '      Enterprise plan requires dedicated infrastructure;', '      scheduled by the promotion bot');
    else lines.push('    reason: Enterprise plan requires dedicated infrastructure');
  }
  if (i % 7 === 0) lines.push(`  compliance: { dataResidency: ${geography}, frameworks: [gdpr, soc2] }`);
  if (i % 11 === 0) lines.push(`  limits: { executionsMonthly: ${1000 * (i % 50)} }`);
  if (i % 6 === 0) lines.push('  backups: { schedules: [daily, weekly], includeExecutions: true }');
  if (i % 13 === 0) lines.push('  suspended: true');
  lines.push(`  billing: { stripeCustomerId: cus_C${i}x, stripeSubscriptionId: sub_S${i}x }`);
  return `${lines.join('\n')}\n`;
}

export async function writeConfigRepo(dir, count, platformYamlPath) {
  await mkdir(join(dir, 'tenants'), { recursive: true });
  await writeFile(join(dir, 'platform.yaml'), await readFile(platformYamlPath));
  const batch = 256;
  for (let start = 0; start < count; start += batch) {
    const writes = [];
    for (let i = start; i < Math.min(count, start + batch); i += 1) {
      writes.push(writeFile(join(dir, 'tenants', `tenant-${String(i).padStart(5, '0')}.yaml`), tenantYaml(i)));
    }
    await Promise.all(writes);
  }
}
