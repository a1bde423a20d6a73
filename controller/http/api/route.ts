// One API route as data: method, path, the role it needs, its JSON schemas
// (validation and OpenAPI) and a handler that returns an answer or throws
// ApiError with a stable code.
import type { FastifyRequest, FastifySchema } from 'fastify';
import type { ApiDeps, ApiStore, Caller, Role } from './types.js';

export interface Answer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export interface RouteContext {
  request: FastifyRequest;
  caller: Caller;
  store: ApiStore;
  deps: ApiDeps;
  now: Date;
}

export interface ApiRoute {
  method: 'GET' | 'POST' | 'DELETE';
  url: string;
  role: Role;
  tag: 'tenants' | 'operations' | 'backups' | 'blue-green' | 'bots' | 'metrics' | 'analytics';
  summary: string;
  description?: string;
  /** Accepts Idempotency-Key; the first answer is replayed to a retry. */
  mutation?: boolean;
  schema: FastifySchema & { response?: Record<string, unknown> };
  handle(context: RouteContext): Promise<Answer>;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export function params<T>(context: RouteContext): T {
  return context.request.params as T;
}
