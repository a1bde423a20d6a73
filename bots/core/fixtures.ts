// Test and bench helpers: parse an example platform or tenant YAML and apply
// the JSON Schema defaults, as the config loader does, so decisions run on the
// same shapes they get in production. Throws on an invalid document.
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { Platform } from '../../types/platform.js';
import type { Tenant } from '../../types/tenant.js';

type Validate = ((data: unknown) => boolean) & { errors?: unknown };

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;
let validators: { platform: Validate; tenant: Validate } | undefined;

function schemaValidators(schemasDir: URL): { platform: Validate; tenant: Validate } {
  if (validators) return validators;
  const ajv = new Ajv2020({ useDefaults: true, allErrors: true, strict: false });
  addFormats(ajv);
  const load = (name: string): object => JSON.parse(readFileSync(new URL(name, schemasDir), 'utf8')) as object;
  validators = { platform: ajv.compile(load('platform.schema.json')), tenant: ajv.compile(load('tenant.schema.json')) };
  return validators;
}

function check<T>(validate: Validate, yamlText: string, what: string): T {
  const data = parse(yamlText) as unknown;
  if (!validate(data)) throw new Error(`invalid ${what}: ${JSON.stringify(validate.errors)}`);
  return data as T;
}

/** The repo's `schemas/` folder, given the repo root. */
export function schemasDirOf(repoRoot: URL): URL {
  return new URL('schemas/', repoRoot);
}

export function platformFromYaml(yamlText: string, schemasDir: URL): Platform {
  return check<Platform>(schemaValidators(schemasDir).platform, yamlText, 'platform');
}

export function tenantFromYaml(yamlText: string, schemasDir: URL): Tenant {
  return check<Tenant>(schemaValidators(schemasDir).tenant, yamlText, 'tenant');
}

/** The example platform.yaml of the repo at `repoRoot`, with defaults. */
export function examplePlatform(repoRoot: URL): Platform {
  return platformFromYaml(readFileSync(new URL('platform.yaml', repoRoot), 'utf8'), schemasDirOf(repoRoot));
}

/** A minimal valid tenant document; `spec` lines are appended verbatim (two-space indented). */
export function tenantYaml(name: string, specLines: string[], metadataLines: string[] = []): string {
  return [
    'apiVersion: rp9.io/v1',
    'kind: Tenant',
    'metadata:',
    `  name: ${name}`,
    `  email: ops@${name}.example`,
    ...metadataLines.map((line) => `  ${line}`),
    'spec:',
    `  subdomain: ${name}`,
    '  region: us-east',
    ...specLines.map((line) => `  ${line}`),
    '',
  ].join('\n');
}
