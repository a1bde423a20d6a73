// JSON Schemas of the API's requests and answers: fastify validates requests
// with them, serializes answers through them, and @fastify/swagger publishes
// them in /openapi.json. Tenant names and resources follow
// schemas/tenant.schema.json (DnsLabel, TenantResources).
import tenantSchema from '../../../schemas/tenant.schema.json' with { type: 'json' };

const defs = tenantSchema.$defs as Record<string, Record<string, unknown>>;

/** A tenant name as in tenants/<name>.yaml (the schema's DnsLabel). */
export const TENANT_NAME = { type: 'string', pattern: String(defs.DnsLabel?.pattern ?? '^[a-z]([a-z0-9-]*[a-z0-9])?$'), maxLength: 63 } as const;

export const TENANT_PARAMS = { type: 'object', required: ['id'], properties: { id: TENANT_NAME }, additionalProperties: false } as const;

export const ERROR_SCHEMA = {
  type: 'object',
  required: ['error'],
  properties: { error: { type: 'string', description: 'stable code, e.g. api.unauthorized' }, message: { type: 'string' } },
  additionalProperties: true,
} as const;

const DATE = { type: 'string', format: 'date-time' } as const;
const NULLABLE_STRING = { type: ['string', 'null'] } as const;
const NULLABLE_DATE = { type: ['string', 'null'], format: 'date-time' } as const;

export const CONDITION = {
  type: 'object',
  properties: { type: { type: 'string' }, status: { type: 'string', enum: ['True', 'False', 'Unknown'] }, reason: { type: 'string' }, message: { type: 'string' }, lastTransitionTime: DATE },
} as const;

/** Resources in force: the tenant's own, else its plan's (schema TenantResources). */
export const RESOURCES = {
  type: 'object',
  properties: { cpu: { type: 'number' }, memoryMb: { type: 'integer' }, workers: { type: 'integer' }, storageGb: { type: 'integer' } },
} as const;

export const OPERATION_STEP = {
  type: 'object',
  properties: { name: { type: 'string' }, status: { type: 'string' }, startedAt: NULLABLE_DATE, finishedAt: NULLABLE_DATE, error: NULLABLE_STRING },
} as const;

export const OPERATION = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    tenant: { type: 'string' },
    kind: { type: 'string' },
    status: { type: 'string' },
    step: NULLABLE_STRING,
    progress: { type: 'object', properties: { done: { type: 'integer' }, total: { type: 'integer' } } },
    steps: { type: 'array', items: OPERATION_STEP },
    error: NULLABLE_STRING,
    startedAt: DATE,
    updatedAt: DATE,
    finishedAt: NULLABLE_DATE,
  },
} as const;

export const TENANT_SUMMARY = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    mode: { type: 'string', enum: ['shared', 'dedicated'] },
    plan: { type: 'string' },
    phase: { type: 'string' },
    ready: { type: 'boolean' },
    reason: NULLABLE_STRING,
    appliedCommit: NULLABLE_STRING,
    updatedAt: NULLABLE_DATE,
  },
} as const;

export const TENANT_DETAIL = {
  type: 'object',
  properties: {
    ...TENANT_SUMMARY.properties,
    displayName: NULLABLE_STRING,
    region: { type: 'string' },
    suspended: { type: 'boolean' },
    urls: { type: 'array', items: { type: 'string' } },
    resources: RESOURCES,
    n8nVersion: { type: 'string' },
    conditions: { type: 'array', items: CONDITION },
    observedCommit: NULLABLE_STRING,
    configCommit: { type: 'string' },
    currentOperation: { anyOf: [OPERATION, { type: 'null' }] },
  },
} as const;

export const EVENT = {
  type: 'object',
  properties: { time: DATE, type: { type: 'string' }, reason: { type: 'string' }, message: { type: 'string' }, actor: { type: 'string' }, commit: NULLABLE_STRING },
} as const;

export const BACKUP = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    kind: { type: 'string' },
    status: { type: 'string' },
    location: { type: 'string' },
    createdAt: DATE,
    completedAt: DATE,
    verifiedAt: NULLABLE_DATE,
    keepUntil: NULLABLE_DATE,
    storedBytes: { type: 'integer' },
    operationId: NULLABLE_STRING,
  },
} as const;

export const PULL_REQUEST_ANSWER = {
  type: 'object',
  properties: { pullRequest: { type: 'object', properties: { number: { type: 'integer' }, url: { type: 'string' }, branch: { type: 'string' } } }, file: { type: 'string' } },
} as const;

export const OPERATION_ANSWER = {
  type: 'object',
  properties: { operation: OPERATION, url: { type: 'string' } },
} as const;

export const DIAGNOSTICS_ANSWER = {
  type: 'object',
  properties: {
    error: { type: 'string' },
    message: { type: 'string' },
    diagnostics: {
      type: 'array',
      items: { type: 'object', properties: { code: { type: 'string' }, severity: { type: 'string' }, file: { type: 'string' }, line: { type: 'integer' }, column: { type: 'integer' }, path: { type: 'string' }, message: { type: 'string' } } },
    },
  },
} as const;
