// JSON Schema validation of tenant and platform documents (ajv, draft 2020-12).
// Validators are compiled once per process, on first use.
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import formatsModule from 'ajv-formats';
import platformSchema from '../schemas/platform.schema.json' with { type: 'json' };
import tenantSchema from '../schemas/tenant.schema.json' with { type: 'json' };

export type SchemaKind = 'tenant' | 'platform';

type FormatsPlugin = (ajv: Ajv2020, formats: string[]) => Ajv2020;
const addFormats = ((formatsModule as unknown as { default?: FormatsPlugin }).default ?? formatsModule) as unknown as FormatsPlugin;

const validators: Partial<Record<SchemaKind, ValidateFunction>> = {};
let ajv: Ajv2020 | undefined;

function compiler(): Ajv2020 {
  if (ajv) return ajv;
  ajv = new Ajv2020({ allErrors: true, strict: true, useDefaults: true, verbose: true });
  addFormats(ajv, ['email', 'date-time', 'uri']);
  return ajv;
}

function validator(kind: SchemaKind): ValidateFunction {
  const existing = validators[kind];
  if (existing) return existing;
  const compiled = compiler().compile(kind === 'tenant' ? tenantSchema : platformSchema);
  validators[kind] = compiled;
  return compiled;
}

/** Validates (and fills in schema defaults on) `value`; returns ajv's errors, empty when valid. */
export function validateAgainstSchema(kind: SchemaKind, value: unknown): ErrorObject[] {
  const validate = validator(kind);
  if (validate(value)) return [];
  return [...(validate.errors ?? [])];
}

/** The raw schema documents, for messages that list allowed keys. */
export const schemas = { tenant: tenantSchema, platform: platformSchema } as const;
