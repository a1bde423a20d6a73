import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfig, parsePlatformFile, parseTenantFile } from './load-config.js';
import type { ConfigFiles, SourceFile } from './types.js';

const encoder = new TextEncoder();
const repo = new URL('..', import.meta.url);
const source = (path: string, text: string | Uint8Array): SourceFile => ({ path, bytes: typeof text === 'string' ? encoder.encode(text) : text });
const platformText = readFileSync(new URL('platform.yaml', repo), 'utf8');

function exampleFiles(): ConfigFiles {
  const tenants = readdirSync(new URL('tenants/', repo))
    .filter((name) => name.endsWith('.yaml'))
    .map((name) => source(`tenants/${name}`, readFileSync(new URL(`tenants/${name}`, repo))));
  return { platform: source('platform.yaml', platformText), tenants, problems: [] };
}

function tenantYaml(name: string, subdomain = name): string {
  return `apiVersion: rp9.io/v1\nkind: Tenant\nmetadata:\n  name: ${name}\n  email: ops@${name}.example\nspec:\n  plan: pro\n  mode: dedicated\n  region: us-east\n  subdomain: ${subdomain}\n`;
}

describe('loadConfig on the example config', () => {
  it('finds no problems and loads every tenant with defaults applied', () => {
    const files = exampleFiles();

    const config = loadConfig(files);

    expect(config.diagnostics).toEqual([]);
    expect(config.tenants.map((t) => t.name).sort()).toEqual(['acme', 'globex', 'hooli', 'initech', 'soylent', 'stark', 'umbrella', 'vandelay', 'wayne']);
    expect(config.platform?.spec.policies.autoscale.windowMinutes).toBe(15);
    const hooli = config.tenants.find((t) => t.name === 'hooli')!;
    expect(hooli.tenant.spec.customDomains).toEqual([]);
    expect(hooli.tenant.spec.backups.schedules).toEqual(['daily', 'weekly', 'monthly']);
    expect(hooli.tenant.metadata.labels).toEqual({});
    const bytes = files.tenants.find((f) => f.path === 'tenants/hooli.yaml')!.bytes;
    expect(hooli.generation).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(hooli.file).toBe('tenants/hooli.yaml');
  });

  it('passes the git oid through to the loaded tenant', () => {
    const file = { ...source('tenants/alpha.yaml', tenantYaml('alpha')), oid: 'a'.repeat(40) };

    const config = loadConfig({ platform: source('platform.yaml', platformText), tenants: [file], problems: [] });

    expect(config.tenants[0]?.oid).toBe('a'.repeat(40));
  });
});

describe('loadConfig on valid variants of one tenant', () => {
  const plain = tenantYaml('alpha');
  const variants: [string, string | Uint8Array][] = [
    ['CRLF line endings', plain.replace(/\n/g, '\r\n')],
    ['a UTF-8 byte order mark', `\ufeff${plain}`],
    ['a document start marker', `---\n${plain}`],
    ['comments everywhere', plain.replace(/\n/g, '  # note\n').replace('metadata:  # note', '# heading\nmetadata: # note')],
    ['flow style', '{ apiVersion: rp9.io/v1, kind: Tenant, metadata: { name: alpha, email: ops@alpha.example }, spec: { plan: pro, mode: dedicated, region: us-east, subdomain: alpha } }\n'],
    ['quoted scalars', plain.replace('plan: pro', 'plan: "pro"').replace('region: us-east', "region: 'us-east'")],
    ['four-space indentation', plain.replace(/^ {2}/gm, '    ')],
    ['no trailing newline', plain.trimEnd()],
  ];

  it.each(variants)('accepts %s', (_label, text) => {
    const config = loadConfig({ platform: source('platform.yaml', platformText), tenants: [source('tenants/alpha.yaml', text)], problems: [] });

    expect(config.diagnostics).toEqual([]);
    expect(config.tenants[0]?.tenant.spec).toMatchObject({ plan: 'pro', mode: 'dedicated', region: 'us-east', subdomain: 'alpha' });
  });

  it('accepts non-ASCII text, block lists and anchors', () => {
    const text = `${plain.replace('  email:', '  displayName: Café Zürich 東京\n  email:')}  customDomains:\n    - n8n.alpha.example\n    - flows.alpha.example\n  resources: &r { cpu: 2 }\n`;

    const config = loadConfig({ platform: source('platform.yaml', platformText), tenants: [source('tenants/alpha.yaml', text)], problems: [] });

    expect(config.diagnostics).toEqual([]);
    expect(config.tenants[0]?.tenant.metadata.displayName).toBe('Café Zürich 東京');
    expect(config.tenants[0]?.tenant.spec.customDomains).toEqual(['n8n.alpha.example', 'flows.alpha.example']);
  });

  it('accepts the .yml extension', () => {
    const config = loadConfig({ platform: source('platform.yaml', platformText), tenants: [source('tenants/alpha.yml', plain)], problems: [] });

    expect(config.diagnostics).toEqual([]);
    expect(config.tenants[0]?.name).toBe('alpha');
  });
});

describe('loadConfig isolation', () => {
  it('reports every bad file and still loads the good ones', () => {
    const files: ConfigFiles = {
      platform: source('platform.yaml', platformText),
      tenants: [
        source('tenants/a-syntax.yaml', 'apiVersion: [\n'),
        source('tenants/b-good.yaml', tenantYaml('b-good')),
        source('tenants/c-schema.yaml', `${tenantYaml('c-schema')}  colour: blue\n`),
        source('tenants/d-binary.yaml', new Uint8Array([0x61, 0x3a, 0x20, 0xc3, 0x28])),
        source('tenants/e-rule.yaml', tenantYaml('e-rule').replace('plan: pro', 'plan: gold')),
        source('tenants/f-good.yaml', tenantYaml('f-good')),
      ],
      problems: [],
    };

    const config = loadConfig(files);

    expect(config.diagnostics.map((d) => [d.file, d.code])).toEqual([
      ['tenants/a-syntax.yaml', 'yaml.syntax'],
      ['tenants/c-schema.yaml', 'schema.unknown-field'],
      ['tenants/d-binary.yaml', 'file.not-utf8'],
      ['tenants/e-rule.yaml', 'tenant.plan-unknown'],
    ]);
    expect(config.tenants.map((t) => t.name)).toEqual(['b-good', 'e-rule', 'f-good']);
  });

  it('caps the diagnostics of one file and says how many were left out', () => {
    const fields = Array.from({ length: 60 }, (_, i) => `extra${i}: 1`).join('\n');

    const config = loadConfig({ platform: source('platform.yaml', platformText), tenants: [source('tenants/noisy.yaml', `${tenantYaml('noisy')}${fields}\n`)], problems: [] });

    expect(config.diagnostics.filter((d) => d.code === 'schema.unknown-field')).toHaveLength(25);
    expect(config.diagnostics.at(-1)).toMatchObject({ code: 'file.too-many-problems', severity: 'warning' });
    expect(config.diagnostics.at(-1)?.message).toContain('35 more');
  });
});

describe('loadConfig and platform.yaml', () => {
  it('reports a missing platform.yaml and still checks what tenants can check alone', () => {
    const config = loadConfig({ platform: undefined, tenants: [source('tenants/alpha.yaml', tenantYaml('beta').replace('plan: pro', 'plan: gold'))], problems: [] });

    expect(config.diagnostics.map((d) => [d.file, d.code, d.line])).toEqual([
      ['platform.yaml', 'platform.missing', 1],
      ['tenants/alpha.yaml', 'tenant.name-mismatch', 4],
    ]);
    expect(config.platform).toBeUndefined();
  });

  it('does not cascade from an invalid platform.yaml into plan and region errors', () => {
    const broken = platformText.replace('domain: rp9.example.com', 'domain: 42');

    const config = loadConfig({ platform: source('platform.yaml', broken), tenants: [source('tenants/alpha.yaml', tenantYaml('alpha').replace('plan: pro', 'plan: gold'))], problems: [] });

    expect(config.diagnostics.map((d) => [d.file, d.code])).toEqual([['platform.yaml', 'schema.type']]);
    expect(config.diagnostics[0]).toMatchObject({ line: 10, path: 'spec.domain' });
    expect(config.platform).toBeUndefined();
    expect(config.tenants).toHaveLength(1);
  });

  it('checks platform versions and plan ceilings', () => {
    const text = platformText.replace('version: "2.41.1"', 'version: "latest"').replace('ceiling: { cpu: 2, memoryMb: 2048', 'ceiling: { cpu: 2, memoryMb: 512');

    const config = loadConfig({ platform: source('platform.yaml', text), tenants: [], problems: [] });

    expect(config.diagnostics.map((d) => [d.code, d.line, d.path])).toEqual([
      ['tenant.version-invalid', 20, 'spec.sharedN8n.version'],
      ['platform.invalid', 34, 'spec.plans.starter.ceiling.memoryMb'],
    ]);
    expect(config.platform).toBeUndefined();
  });

  it('refuses a Stripe price mapped to a plan that does not exist, naming the line and field', () => {
    const text = platformText.replace('      price_ProMonthly: pro\n', '      price_ProMonthly: pro\n      price_Gold01: gold\n');
    const line = text.split('\n').findIndex((l) => l.includes('price_Gold01')) + 1;

    const config = loadConfig({ platform: source('platform.yaml', text), tenants: [], problems: [] });

    expect(config.diagnostics.map((d) => [d.code, d.line, d.path])).toEqual([['platform.unknown-plan', line, 'spec.billing.stripePlans.price_Gold01']]);
    expect(config.diagnostics[0]?.message).toContain('plan "gold", which spec.plans does not define');
  });

  it('reads spec.prices with its defaults, and refuses a price for a plan that does not exist, naming the line and field', () => {
    const priced = platformText.replace('  billing:\n', '  prices:\n    coreHour: 0.01\n    plans: { pro: 4, gold: 9 }\n  billing:\n');
    const line = priced.split('\n').findIndex((l) => l.includes('gold: 9')) + 1;
    const valid = loadConfig({ platform: source('platform.yaml', priced.replace(', gold: 9', '')), tenants: [], problems: [] });
    const invalid = loadConfig({ platform: source('platform.yaml', priced), tenants: [], problems: [] });

    expect(valid.diagnostics).toEqual([]);
    expect(valid.platform?.spec.prices).toEqual({ currency: 'USD', hoursPerMonth: 730, plans: { pro: 4 }, coreHour: 0.01, memoryGbHour: 0, storageGbMonth: 0, sharedSeatMonthly: 0 });
    expect(invalid.diagnostics.map((d) => [d.code, d.line, d.path])).toEqual([['platform.unknown-plan', line, 'spec.prices.plans.gold']]);
    expect(loadConfig({ platform: source('platform.yaml', platformText), tenants: [], problems: [] }).platform?.spec.prices).toBeUndefined();
  });

  it('refuses spec.safety.allowDeletion naming a tenant that still has a file: the override is spent once the tenant is gone', () => {
    const text = platformText.replace('maxDeletionPercent: 25', 'maxDeletionPercent: 25\n    allowDeletion: { tenants: [gone, alpha], reason: "trials ended" }');
    const line = text.split('\n').findIndex((l) => l.includes('allowDeletion')) + 1;

    const config = loadConfig({ platform: source('platform.yaml', text), tenants: [source('tenants/alpha.yaml', tenantYaml('alpha'))], problems: [] });
    const spent = loadConfig({ platform: source('platform.yaml', text), tenants: [], problems: [] });

    expect(config.diagnostics.map((d) => [d.code, d.file, d.line, d.path])).toEqual([['platform.allow-deletion-tenant-exists', 'platform.yaml', line, 'spec.safety.allowDeletion.tenants[1]']]);
    expect(config.diagnostics[0]?.message).toContain('"alpha", which has a file (tenants/alpha.yaml)');
    expect(config.platform).toBeUndefined();
    expect(spent.diagnostics).toEqual([]);
    expect(spent.platform?.spec.safety.allowDeletion).toEqual({ tenants: ['gone', 'alpha'], reason: 'trials ended' });
  });

  it('does not report platform.yaml missing when reading it already failed', () => {
    const problem = { code: 'file.too-large', severity: 'error' as const, file: 'platform.yaml', line: 1, column: 1, path: '', message: 'too large' };

    const config = loadConfig({ platform: undefined, tenants: [], problems: [problem] });

    expect(config.diagnostics).toEqual([problem]);
  });
});

describe('parseTenantFile and parsePlatformFile', () => {
  it('return the value with defaults and a locator for positions', () => {
    const result = parseTenantFile(source('tenants/alpha.yaml', `${tenantYaml('alpha')}  resources:\n    cpu: 2\n`));

    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.spec.suspended).toBe(false);
    expect(result.locator.locate(['spec', 'resources', 'cpu'])).toEqual({ line: 12, column: 10 });
    expect(result.locator.locate(['spec', 'resources', 'cpu'], 'key')).toEqual({ line: 12, column: 5 });
    expect(result.locator.locate(['spec', 'nothing', 'here'])).toEqual({ line: 7, column: 3 });
  });

  it('return diagnostics for an invalid file', () => {
    const result = parsePlatformFile(source('platform.yaml', 'apiVersion: rp9.io/v1\nkind: Platform\n'));

    expect(result.ok).toBe(false);
    expect(result.diagnostics.map((d) => [d.code, d.path])).toEqual([
      ['schema.required', 'metadata'],
      ['schema.required', 'spec'],
    ]);
  });
});
