import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createParseCache, loadConfig, parsePlatformFile, parseTenantFile } from './load-config.js';
import { MAX_FILE_BYTES } from './limits.js';
import type { ConfigFiles, Diagnostic, SourceFile } from './types.js';

const encoder = new TextEncoder();
const repoFile = (path: string) => readFileSync(new URL(`../${path}`, import.meta.url));

function source(path: string, text: string | Uint8Array): SourceFile {
  return { path, bytes: typeof text === 'string' ? encoder.encode(text) : text };
}

const platformText = repoFile('platform.yaml').toString('utf8');
const platform = () => source('platform.yaml', platformText);

/**
 * A valid dedicated pro tenant, ten lines:
 *  1 apiVersion  2 kind  3 metadata:  4 name  5 email  6 spec:  7 plan  8 mode  9 region  10 subdomain
 */
function tenantYaml(name = 'bad', subdomain = name): string {
  return `apiVersion: rp9.io/v1\nkind: Tenant\nmetadata:\n  name: ${name}\n  email: ops@${name}.example\nspec:\n  plan: pro\n  mode: dedicated\n  region: us-east\n  subdomain: ${subdomain}\n`;
}
const BASE = tenantYaml();

function load(tenants: SourceFile[], platformFile: SourceFile | undefined = platform()): ReturnType<typeof loadConfig> {
  const files: ConfigFiles = { platform: platformFile, tenants, problems: [] };
  return loadConfig(files);
}

const errorsOf = (diagnostics: Diagnostic[]) => diagnostics.filter((d) => d.severity === 'error');

interface BadCase {
  name: string;
  text: string | Uint8Array;
  code: string;
  line: number;
  path?: string;
  /** The file under test (default tenants/bad.yaml). */
  file?: string;
  /** Other files in the repo for cross-file rules. */
  others?: SourceFile[];
  /** Errors other than the expected one are allowed (default: it must be the only error). */
  more?: boolean;
}

const bomb = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n';
const notUtf8 = new Uint8Array([...encoder.encode(BASE.replace('  email:', '  displayName: Caf')), 0xe9, ...encoder.encode('\n')]);
const lineOfBadByte = BASE.replace('  email:', '  displayName: Caf').split('\n').length;

const cases: BadCase[] = [
  // File and YAML layer
  { name: 'empty file', text: '', code: 'file.empty', line: 1 },
  { name: 'only comments', text: '# nothing here\n# yet\n', code: 'file.empty', line: 1 },
  { name: 'only whitespace', text: '   \n\n', code: 'file.empty', line: 1 },
  { name: 'not UTF-8 (Latin-1 é)', text: notUtf8, code: 'file.not-utf8', line: lineOfBadByte },
  { name: 'UTF-16 with BOM', text: new Uint8Array([0xff, 0xfe, 0x61, 0x00]), code: 'file.not-utf8', line: 1 },
  { name: 'over the size cap', text: `${BASE}# ${'x'.repeat(MAX_FILE_BYTES)}\n`, code: 'file.too-large', line: 1 },
  { name: 'unclosed flow sequence', text: `${BASE}  customDomains: [a.example.com\n`, code: 'yaml.syntax', line: 11 },
  { name: 'unclosed quote', text: BASE.replace('plan: pro', 'plan: "pro'), code: 'yaml.syntax', line: 7 },
  { name: 'missing colon', text: BASE.replace('mode: dedicated', 'mode dedicated'), code: 'yaml.syntax', line: 8 },
  { name: 'tab as indentation', text: BASE.replace('  plan: pro', '\tplan: pro'), code: 'yaml.tab-indent', line: 7 },
  { name: 'tab after spaces', text: BASE.replace('  region:', '  \tregion:'), code: 'yaml.tab-indent', line: 9 },
  { name: 'duplicate key', text: `${BASE}  plan: starter\n`, code: 'yaml.duplicate-key', line: 11, path: 'spec.plan' },
  { name: 'two documents', text: `${BASE}---\n${BASE}`, code: 'yaml.multiple-documents', line: 11 },
  { name: 'list at the root', text: '- apiVersion: rp9.io/v1\n- kind: Tenant\n', code: 'yaml.not-a-mapping', line: 1 },
  { name: 'scalar at the root', text: '# a tenant\njust a string\n', code: 'yaml.not-a-mapping', line: 2 },
  { name: 'alias bomb', text: bomb, code: 'yaml.alias-limit', line: 2 },
  { name: 'unknown alias', text: `${BASE}  suspended: *nope\n`, code: 'yaml.syntax', line: 11 },
  { name: 'deep flow nesting', text: `${BASE}  n8n: ${'['.repeat(5000)}${']'.repeat(5000)}\n`, code: 'yaml.too-deep', line: 11 },
  { name: 'deep block nesting', text: `${BASE}${Array.from({ length: 200 }, (_, i) => `${' '.repeat(i + 2)}k${i}:`).join('\n')} 1\n`, code: 'yaml.too-deep', line: 74 },
  { name: 'many aliases', text: `a: &a x\n${Array.from({ length: 5000 }, (_, i) => `k${i}: *a`).join('\n')}\n`, code: 'yaml.alias-limit', line: 2 },
  { name: 'duplicate key deep inside', text: `${BASE}  resources:\n    cpu: 1\n    workers: 1\n    cpu: 2\n`, code: 'yaml.duplicate-key', line: 14, path: 'spec.resources.cpu' },
  { name: 'keys that collide as strings', text: `${BASE}  limits:\n    1: 1\n    "1": 2\n`, code: 'yaml.duplicate-key', line: 13, path: 'spec.limits["1"]' },
  { name: 'duplicate key in a nested map', text: `${BASE}  backups:\n    schedules: [daily]\n    schedules: [weekly]\n`, code: 'yaml.duplicate-key', line: 13, path: 'spec.backups.schedules' },
  // Schema
  { name: 'thousands of unknown keys', text: `${BASE}${Array.from({ length: 20000 }, (_, i) => `k${i}: 1`).join('\n')}\n`, code: 'schema.unknown-field', line: 11, path: 'k0', more: true },
  { name: 'NUL byte in a value', text: BASE.replace('plan: pro', 'plan: "pro\u0000x"'), code: 'schema.pattern', line: 7, path: 'spec.plan' },
  { name: 'unknown field', text: `${BASE}  resources:\n    cpuu: 2\n`, code: 'schema.unknown-field', line: 12, path: 'spec.resources.cpuu' },
  { name: 'unknown top-level field', text: `${BASE}extra: 1\n`, code: 'schema.unknown-field', line: 11, path: 'extra' },
  { name: '__proto__ key', text: `${BASE}__proto__: { polluted: true }\n`, code: 'schema.unknown-field', line: 11, path: '__proto__' },
  { name: 'missing required field', text: BASE.replace('  subdomain: bad\n', ''), code: 'schema.required', line: 7, path: 'spec.subdomain' },
  { name: 'missing spec', text: BASE.slice(0, BASE.indexOf('spec:')), code: 'schema.required', line: 1, path: 'spec' },
  { name: 'wrong type', text: `${BASE}  resources: { cpu: two }\n`, code: 'schema.type', line: 11, path: 'spec.resources.cpu' },
  { name: 'mapping where a string belongs', text: BASE.replace('plan: pro', 'plan: { name: pro }'), code: 'schema.type', line: 7, path: 'spec.plan' },
  { name: 'enum', text: BASE.replace('mode: dedicated', 'mode: dedicate'), code: 'schema.enum', line: 8, path: 'spec.mode' },
  { name: 'const', text: BASE.replace('rp9.io/v1', 'rp9.io/v2'), code: 'schema.enum', line: 1, path: 'apiVersion' },
  { name: 'pattern', text: BASE.replace('subdomain: bad', 'subdomain: Bad'), code: 'schema.pattern', line: 10, path: 'spec.subdomain' },
  { name: 'format', text: BASE.replace('ops@bad.example', 'not-an-email'), code: 'schema.format', line: 5, path: 'metadata.email' },
  { name: 'range', text: `${BASE}  promotion: { window: "2026-12-05T22:00:00Z", ttlMinutes: 500 }\n`, code: 'schema.range', line: 11, path: 'spec.promotion.ttlMinutes' },
  { name: 'duplicate list item', text: `${BASE}  customDomains:\n    - a.example.com\n    - a.example.com\n`, code: 'schema.unique-items', line: 13, path: 'spec.customDomains[1]' },
  { name: 'null value', text: BASE.replace('region: us-east', 'region:'), code: 'schema.type', line: 9, path: 'spec.region' },
  // Injection attempts
  { name: 'subdomain injection', text: BASE.replace('subdomain: bad', 'subdomain: "bad`) || Host(`evil.com"'), code: 'tenant.unsafe-value', line: 10, path: 'spec.subdomain' },
  { name: 'subdomain with space', text: BASE.replace('subdomain: bad', 'subdomain: "bad x"'), code: 'tenant.unsafe-value', line: 10, path: 'spec.subdomain' },
  { name: 'custom domain with comma', text: `${BASE}  customDomains: ["a.example.com, evil.com"]\n`, code: 'tenant.unsafe-value', line: 11, path: 'spec.customDomains[0]' },
  { name: 'custom domain with parentheses', text: `${BASE}  customDomains:\n    - b.example.com\n    - "a.example.com) && PathPrefix(/"\n`, code: 'tenant.unsafe-value', line: 13, path: 'spec.customDomains[1]' },
  { name: 'label value injection', text: BASE.replace('  email: ops@bad.example\n', '  email: ops@bad.example\n  labels:\n    team: "x`) || Host(`y"\n'), code: 'tenant.unsafe-value', line: 7, path: 'metadata.labels.team' },
  { name: 'label key injection', text: BASE.replace('  email: ops@bad.example\n', '  email: ops@bad.example\n  labels:\n    "a`,b": x\n'), code: 'tenant.unsafe-value', line: 7, path: 'metadata.labels["a`,b"]' },
  { name: 'name with quote', text: BASE.replace('name: bad', `name: "bad'"`), code: 'tenant.unsafe-value', line: 4, path: 'metadata.name' },
  // Tenant rules
  { name: 'name mismatch', text: tenantYaml('other', 'bad'), code: 'tenant.name-mismatch', line: 4, path: 'metadata.name' },
  { name: 'reserved subdomain (built in)', text: tenantYaml('bad', 'grafana'), code: 'tenant.subdomain-reserved', line: 10, path: 'spec.subdomain' },
  { name: 'reserved name (sandbox)', text: tenantYaml('bad-restore-20261206', 'bad'), file: 'tenants/bad-restore-20261206.yaml', code: 'tenant.name-reserved', line: 4, path: 'metadata.name' },
  { name: 'reserved subdomain (sandbox)', text: tenantYaml('bad', 'acme-restore-20261206'), code: 'tenant.subdomain-reserved', line: 10, path: 'spec.subdomain' },
  { name: 'reserved subdomain (platform)', text: tenantYaml('bad', 'billing'), code: 'tenant.subdomain-reserved', line: 10, path: 'spec.subdomain' },
  { name: 'unknown plan', text: BASE.replace('plan: pro', 'plan: gold'), code: 'tenant.plan-unknown', line: 7, path: 'spec.plan' },
  { name: 'unknown region', text: BASE.replace('region: us-east', 'region: mars'), code: 'tenant.region-unknown', line: 9, path: 'spec.region' },
  { name: 'resources above ceiling', text: `${BASE}  resources:\n    cpu: 2\n    memoryMb: 999999\n`, code: 'tenant.resources-out-of-range', line: 13, path: 'spec.resources.memoryMb' },
  { name: 'empty ceiling exception reason', text: `${BASE}  resources:\n    cpu: 5\n    ceilingException: { reason: "" }\n`, code: 'schema.range', line: 13, path: 'spec.resources.ceilingException.reason' },
  { name: 'resources below minimum', text: `${BASE}  resources: { workers: 0 }\n`, code: 'tenant.resources-out-of-range', line: 11, path: 'spec.resources.workers' },
  { name: 'custom domains on shared', text: `${BASE.replace('mode: dedicated', 'mode: shared')}  customDomains: [n8n.bad.example]\n`, code: 'tenant.dedicated-only', line: 11, path: 'spec.customDomains' },
  { name: 'resources on shared', text: `${BASE.replace('mode: dedicated', 'mode: shared')}  resources: { cpu: 1 }\n`, code: 'tenant.dedicated-only', line: 11, path: 'spec.resources' },
  { name: 'throttle concurrency on shared', text: `${BASE.replace('mode: dedicated', 'mode: shared')}  throttle: { reason: r, limit: apiCallsHourly, requestsPerMinute: 5, burst: 5, concurrency: 2 }\n`, code: 'tenant.dedicated-only', line: 11, path: 'spec.throttle.concurrency' },
  { name: 'throttle without a rate', text: `${BASE}  throttle: { reason: r, limit: apiCallsHourly, burst: 5 }\n`, code: 'schema.required', line: 11, path: 'spec.throttle.requestsPerMinute' },
  { name: 'suspension reason without suspension', text: `${BASE}  suspendedReason: "enforcement: x"\n`, code: 'tenant.suspended-reason-unsuspended', line: 11, path: 'spec.suspendedReason' },
  { name: 'n8n pin on shared', text: `${BASE.replace('mode: dedicated', 'mode: shared')}  n8n: { version: "1.123.4" }\n`, code: 'tenant.dedicated-only', line: 11, path: 'spec.n8n' },
  { name: 'promotion on a shared tenant', text: `${BASE.replace('mode: dedicated', 'mode: shared')}  promotion: { window: "2026-12-05T22:00:00Z" }\n`, code: 'tenant.promotion-needs-dedicated', line: 11, path: 'spec.promotion' },
  { name: 'enterprise on shared without promotion', text: BASE.replace('plan: pro', 'plan: enterprise').replace('mode: dedicated', 'mode: shared'), code: 'tenant.enterprise-requires-dedicated', line: 8, path: 'spec.mode' },
  { name: 'residency mismatch', text: `${BASE}  compliance: { dataResidency: eu }\n`, code: 'tenant.residency-region-mismatch', line: 11, path: 'spec.compliance.dataResidency' },
  { name: 'maintenance override not a time', text: BASE.replace('  email: ops@bad.example\n', '  email: ops@bad.example\n  labels: { rp9.io/maintenance-override: "tonight" }\n'), code: 'tenant.maintenance-override-invalid', line: 6, path: 'metadata.labels["rp9.io/maintenance-override"]' },
  { name: 'maintenance window with no weekday', text: `${BASE}  maintenance: { windows: [{ weekdays: [], startHourUtc: 22 }] }\n`, code: 'schema.range', line: 11, path: 'spec.maintenance.windows[0].weekdays' },
  { name: 'n8n version not semver', text: `${BASE}  n8n: { version: latest }\n`, code: 'tenant.version-invalid', line: 11, path: 'spec.n8n.version' },
  // Across tenants
  { name: 'duplicate subdomain', text: tenantYaml('bad', 'taken'), code: 'tenant.subdomain-duplicate', line: 10, path: 'spec.subdomain', others: [source('tenants/alpha.yaml', tenantYaml('alpha', 'taken'))] },
  { name: 'duplicate tenant name (.yaml and .yml)', text: BASE, file: 'tenants/bad.yml', code: 'tenant.name-duplicate', line: 4, path: 'metadata.name', others: [source('tenants/bad.yaml', BASE)], more: true },
  { name: 'duplicate custom domain', text: `${BASE}  customDomains: [n8n.shared.example]\n`, code: 'tenant.domain-duplicate', line: 11, path: 'spec.customDomains[0]', others: [source('tenants/alpha.yaml', `${tenantYaml('alpha')}  customDomains: [n8n.shared.example]\n`)] },
  { name: "custom domain is another tenant's host", text: `${BASE}  customDomains: [alpha.rp9.example.com]\n`, code: 'tenant.domain-duplicate', line: 11, path: 'spec.customDomains[0]', others: [source('tenants/alpha.yaml', tenantYaml('alpha'))] },
  { name: 'custom domain inside the platform domain', text: `${BASE}  customDomains: [grafana.rp9.example.com]\n`, code: 'tenant.domain-reserved', line: 11, path: 'spec.customDomains[0]' },
];

describe('loadConfig: bad input', () => {
  it.each(cases)('$name → $code at line $line', ({ text, code, line, path, file: name = 'tenants/bad.yaml', others = [], more }) => {
    const file = source(name, text);

    const { diagnostics } = load([file, ...others]);

    const errors = errorsOf(diagnostics);
    const hit = errors.find((d) => d.code === code);
    expect(hit, JSON.stringify(errors, null, 2)).toMatchObject({ file: name, line, severity: 'error' });
    if (path !== undefined) expect(hit?.path).toBe(path);
    expect(hit?.column).toBeGreaterThanOrEqual(1);
    expect(hit?.message.length).toBeGreaterThan(10);
    if (!more) expect(errors.map((d) => `${d.file}:${d.code}`)).toEqual([`${name}:${code}`]);
  });
});

describe('loadConfig: resources above the plan ceiling', () => {
  const above = (extra: string) => `${BASE}  resources:\n    cpu: 5\n    workers: 2\n${extra}`;

  it.each([
    { name: 'without an exception', text: above(''), errors: ['tenant.resources-out-of-range@spec.resources.cpu:12'], warnings: [] },
    {
      name: 'with a ceiling exception',
      text: above('    ceilingException:\n      reason: "Black Friday load, reviewed in PR #12"\n'),
      errors: [],
      warnings: ['tenant.resources-beyond-ceiling@spec.resources.cpu:12'],
    },
    {
      name: 'with an exception nothing uses',
      text: `${BASE}  resources:\n    cpu: 3\n    ceilingException: { reason: "old exception" }\n`,
      errors: [],
      warnings: ['tenant.ceiling-exception-unused@spec.resources.ceilingException:13'],
    },
    {
      name: 'below the minimum even with an exception',
      text: `${BASE}  resources:\n    cpu: 5\n    workers: 0\n    ceilingException: { reason: "x" }\n`,
      errors: ['tenant.resources-out-of-range@spec.resources.workers:13'],
      warnings: ['tenant.resources-beyond-ceiling@spec.resources.cpu:12'],
    },
  ])('$name', ({ text, errors, warnings }) => {
    // Arrange
    const file = source('tenants/bad.yaml', text);

    // Act
    const { diagnostics } = load([file]);

    // Assert
    const of = (severity: string) => diagnostics.filter((d) => d.severity === severity).map((d) => `${d.code}@${d.path}:${d.line}`);
    expect(of('error')).toEqual(errors);
    expect(of('warning')).toEqual(warnings);
  });

  it('names the ceiling, the plan and the way out in the message', () => {
    const { diagnostics } = load([source('tenants/bad.yaml', above(''))]);

    expect(diagnostics[0]?.message).toBe(
      "spec.resources.cpu 5 is above the pro plan's ceiling 4 (range 0.5–4); move the tenant to a larger plan, or grant a reviewed exception with spec.resources.ceilingException.reason",
    );
  });
});
