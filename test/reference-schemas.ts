// The reference JSON Schemas (Traefik, GitHub workflows, Compose, Prometheus)
// that rp9's generated files must satisfy, vendored in test/reference/schemas/
// with their provenance (test/reference/README.md).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';

export function referenceSchemaPath(name: string): string {
  return fileURLToPath(new URL(`./reference/schemas/${name}`, import.meta.url));
}

/** A validator for one reference schema (draft-07, non-strict: these schemas use vendor keywords). */
export function referenceValidator(name: string): (data: unknown) => string[] {
  const schema = JSON.parse(readFileSync(referenceSchemaPath(name), 'utf8')) as Record<string, unknown>;
  delete schema.$schema;
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  const validate = ajv.compile(schema);
  return (data) => (validate(data) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`));
}
