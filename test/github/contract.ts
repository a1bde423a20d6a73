import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv, type ValidateFunction, type ErrorObject } from 'ajv';
import addFormatsModule from 'ajv-formats';

const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

/**
 * GitHub's REST contract, read from the OpenAPI description shipped in @octokit/openapi.
 * Validators are compiled lazily, one per operation and direction, the first time a request uses them.
 */
export interface Contract {
  /** The OpenAPI operation for a method and path template (as written in the description), or throws. */
  operation(method: string, template: string): Operation;
  /** Problems with a request body and query against the operation; empty when it follows the contract. */
  checkRequest(op: Operation, body: unknown, query: Record<string, string>): string[];
  /** Problems with a response body for a status; empty when it follows the contract. */
  checkResponse(op: Operation, status: number, body: unknown): string[];
}

export interface Operation {
  method: string;
  template: string;
  operationId: string;
  /** Path parameters GitHub lets span several segments (`x-multi-segment`, e.g. a ref `heads/a/b`). */
  multiSegment: string[];
}

type Json = Record<string, unknown>;

interface OperationEntry extends Operation {
  raw: Json;
  request?: ValidateFunction | null;
  query?: { name: string; required: boolean; type: string; validate: ValidateFunction }[];
  responses: Map<string, ValidateFunction | null>;
}

const SPEC_ID = 'https://contract.rp9.local/api.github.com.json';
let shared: Contract | undefined;

/** The contract for api.github.com, loaded once per process. */
export function loadContract(): Contract {
  shared ??= createContract(readSpec());
  return shared;
}

function readSpec(): Json {
  const require = createRequire(import.meta.url);
  const file = require.resolve('@octokit/openapi/generated/api.github.com.json');
  return JSON.parse(readFileSync(file, 'utf8')) as Json;
}

function createContract(spec: Json): Contract {
  const components = spec.components as Json;
  const paths = spec.paths as Record<string, Record<string, Json>>;
  const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false, inlineRefs: false });
  addFormats(ajv);
  for (const name of ['int64', 'int32', 'uri-template', 'repo.nwo', 'binary']) ajv.addFormat(name, true);
  ajv.addSchema({ $id: SPEC_ID, components: { schemas: toJsonSchemaMap(components.schemas as Json) } });
  const entries = new Map<string, OperationEntry>();

  function entry(method: string, template: string): OperationEntry {
    const key = `${method.toLowerCase()} ${template}`;
    const found = entries.get(key);
    if (found) return found;
    const raw = paths[template]?.[method.toLowerCase()];
    if (!raw) throw new Error(`contract: no operation ${key} in the OpenAPI description`);
    const multiSegment = ((raw.parameters as unknown[]) ?? [])
      .map((p) => resolve(components, p) as Json)
      .filter((p) => p.in === 'path' && p['x-multi-segment'] === true)
      .map((p) => String(p.name));
    const created: OperationEntry = { method: method.toLowerCase(), template, operationId: String(raw.operationId), multiSegment, raw, responses: new Map() };
    entries.set(key, created);
    return created;
  }

  function compile(schema: unknown): ValidateFunction {
    return ajv.compile(rewriteRefs(toJsonSchema(schema)) as Json);
  }

  function requestValidator(op: OperationEntry): ValidateFunction | null {
    if (op.request !== undefined) return op.request;
    const body = resolve(components, op.raw.requestBody) as Json | undefined;
    const schema = (body?.content as Json | undefined)?.['application/json'] as Json | undefined;
    op.request = schema?.schema ? compile(schema.schema) : null;
    return op.request;
  }

  function queryValidators(op: OperationEntry): NonNullable<OperationEntry['query']> {
    if (op.query) return op.query;
    const params = ((op.raw.parameters as unknown[]) ?? []).map((p) => resolve(components, p) as Json);
    op.query = params
      .filter((p) => p.in === 'query')
      .map((p) => {
        const schema = (p.schema ?? {}) as Json;
        return { name: String(p.name), required: p.required === true, type: String(schema.type ?? 'string'), validate: compile(schema) };
      });
    return op.query;
  }

  function responseValidator(op: OperationEntry, status: number): ValidateFunction | null {
    const key = String(status);
    if (op.responses.has(key)) return op.responses.get(key) ?? null;
    const responses = op.raw.responses as Json;
    const declared = resolve(components, responses[key]) as Json | undefined;
    let validator: ValidateFunction | null;
    if (declared) {
      const schema = ((declared.content as Json | undefined)?.['application/json'] as Json | undefined)?.schema;
      validator = schema ? compile(schema) : null;
    } else if (status >= 400) {
      validator = compile({ $ref: '#/components/schemas/basic-error' });
    } else {
      throw new Error(`contract: ${op.operationId} does not declare a ${status} response`);
    }
    op.responses.set(key, validator);
    return validator;
  }

  return {
    operation(method, template) {
      const { raw: _raw, request: _request, query: _query, responses: _responses, ...op } = entry(method, template);
      return op;
    },
    checkRequest(op, body, query) {
      const found = entry(op.method, op.template);
      const problems: string[] = [];
      for (const param of queryValidators(found)) {
        const value = query[param.name];
        if (value === undefined) {
          if (param.required) problems.push(`query parameter "${param.name}" is required`);
          continue;
        }
        const coerced = coerce(value, param.type);
        if (!param.validate(coerced)) problems.push(...describe(param.validate.errors, `query.${param.name}`));
      }
      const validate = requestValidator(found);
      if (validate && body !== undefined && !validate(body)) problems.push(...describe(validate.errors, 'body'));
      if (!validate && body !== undefined && found.raw.requestBody === undefined && found.method === 'get') {
        problems.push('GET requests carry no body');
      }
      return problems;
    },
    checkResponse(op, status, body) {
      const validate = responseValidator(entry(op.method, op.template), status);
      if (!validate) return body === undefined || body === '' ? [] : [`${op.operationId} ${status} declares no JSON body`];
      return validate(body) ? [] : describe(validate.errors, 'response');
    },
  };
}

function coerce(value: string, type: string): unknown {
  if (type === 'integer' || type === 'number') return /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : value;
  if (type === 'boolean') return value === 'true' ? true : value === 'false' ? false : value;
  return value;
}

function describe(errors: ErrorObject[] | null | undefined, root: string): string[] {
  return (errors ?? []).slice(0, 10).map((e) => `${root}${e.instancePath.replaceAll('/', '.')} ${e.message ?? 'is invalid'}${e.params && 'allowedValues' in e.params ? ` (${(e.params.allowedValues as unknown[]).join(', ')})` : ''}`);
}

/** Follows `#/components/<kind>/<name>` references in OpenAPI (non-schema) objects. */
function resolve(components: Json, value: unknown): unknown {
  let current = value;
  for (let i = 0; i < 5 && current && typeof current === 'object' && '$ref' in current; i += 1) {
    const [, , kind, name] = String((current as Json).$ref).split('/');
    current = (components[kind ?? ''] as Json | undefined)?.[name ?? ''];
  }
  return current;
}

function rewriteRefs(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(rewriteRefs);
  if (!schema || typeof schema !== 'object') return schema;
  const out: Json = {};
  for (const [key, value] of Object.entries(schema)) {
    out[key] = key === '$ref' && typeof value === 'string' && value.startsWith('#/') ? `${SPEC_ID}${value}` : rewriteRefs(value);
  }
  return out;
}

function toJsonSchemaMap(schemas: Json): Json {
  const out: Json = {};
  for (const [name, schema] of Object.entries(schemas)) out[name] = toJsonSchema(schema);
  return out;
}

const SCHEMA_MAPS = ['properties', 'patternProperties', 'definitions', '$defs'];
const SCHEMA_LISTS = ['allOf', 'anyOf', 'oneOf'];
const SCHEMA_SINGLE = ['items', 'additionalProperties', 'not'];

/**
 * OpenAPI 3.0 schema → JSON Schema: `nullable: true` becomes a `null` alternative
 * (Ajv only accepts `nullable` next to `type`), examples are dropped.
 */
export function toJsonSchema(schema: unknown): unknown {
  if (!schema || typeof schema !== 'object' || Array.isArray(schema)) return schema;
  const source = schema as Json;
  const out: Json = {};
  for (const [key, value] of Object.entries(source)) {
    if (key === 'example' || key === 'examples' || key === 'nullable' || key === 'description') continue;
    if (SCHEMA_MAPS.includes(key) && value && typeof value === 'object') {
      out[key] = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJsonSchema(v)]));
    } else if (SCHEMA_LISTS.includes(key) && Array.isArray(value)) {
      out[key] = value.map(toJsonSchema);
    } else if (SCHEMA_SINGLE.includes(key)) {
      out[key] = typeof value === 'object' ? toJsonSchema(value) : value;
    } else {
      out[key] = value;
    }
  }
  if (source.nullable !== true) return out;
  if (typeof out.type === 'string' && !('$ref' in out) && !SCHEMA_LISTS.some((k) => k in out)) {
    out.type = [out.type, 'null'];
    if (Array.isArray(out.enum)) out.enum = [...out.enum, null];
    return out;
  }
  return { anyOf: [{ type: 'null' }, out] };
}
