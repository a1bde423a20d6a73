// Locates the reference JSON Schemas (Traefik, GitHub workflows, Compose,
// Prometheus) that rp9's generated files must satisfy. They live in shared/,
// beside the repository clone; RP9_SHARED_DIR overrides.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';

function sharedDir(): string {
  const candidates = [
    process.env.RP9_SHARED_DIR,
    fileURLToPath(new URL('../../shared', import.meta.url)),
    '/work/shared',
  ].filter((dir): dir is string => Boolean(dir));
  const found = candidates.find((dir) => existsSync(`${dir}/reference/schemas`));
  if (!found) throw new Error(`reference schemas not found; looked in ${candidates.join(', ')} (set RP9_SHARED_DIR)`);
  return found;
}

export function referenceSchemaPath(name: string): string {
  return `${sharedDir()}/reference/schemas/${name}`;
}

/** A validator for one reference schema (draft-07, non-strict: these schemas use vendor keywords). */
export function referenceValidator(name: string): (data: unknown) => string[] {
  const schema = JSON.parse(readFileSync(referenceSchemaPath(name), 'utf8')) as Record<string, unknown>;
  delete schema.$schema;
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  const validate = ajv.compile(schema);
  return (data) => (validate(data) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`));
}
