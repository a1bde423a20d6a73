// The observe side of routes: read back a file serializeRoute wrote.
import { parseDocument } from 'yaml';
import { digest } from '../compile/hash.js';
import { routerName } from './render-route.js';
import { isSafeHostname } from './safety.js';

export type RouteFileErrorCode = 'traefik.route-unreadable' | 'traefik.route-unexpected' | 'traefik.unsafe-host';

export type ParsedRouteFile =
  | {
      ok: true;
      tenant: string;
      hosts: string[];
      /** The desired hash the file was written for; '' when the body was edited by hand (then it never matches). */
      hash: string;
      /** True when the body no longer matches the digest in the header. */
      modified: boolean;
    }
  | { ok: false; code: RouteFileErrorCode; message: string };

const HEADER = /^# rp9-(tenant|hash|body): ([^\s]+)$/;
const RULE = /^Host\(`[^`]+`\)( \|\| Host\(`[^`]+`\))*$/;

export function parseRouteFile(text: string): ParsedRouteFile {
  const lines = text.split('\n');
  const header = new Map<string, string>();
  let bodyStart = 0;
  while (bodyStart < lines.length && lines[bodyStart]?.startsWith('#')) {
    const match = HEADER.exec(lines[bodyStart] ?? '');
    if (match?.[1] && match[2]) header.set(match[1], match[2]);
    bodyStart++;
  }
  const tenant = header.get('tenant');
  const hash = header.get('hash');
  const bodyDigest = header.get('body');
  if (!tenant || !hash || !bodyDigest) return failure('traefik.route-unreadable', 'the rp9 header (rp9-tenant, rp9-hash, rp9-body) is missing');

  const body = lines.slice(bodyStart).join('\n');
  const document = parseDocument(body);
  if (document.errors.length > 0) return failure('traefik.route-unreadable', `the YAML body does not parse: ${document.errors[0]?.message ?? ''}`);
  const value: unknown = document.toJS();
  const rule = readRule(value, routerName(tenant));
  if (rule === undefined) return failure('traefik.route-unexpected', `no router ${routerName(tenant)} with a rule`);
  if (!RULE.test(rule)) return failure('traefik.route-unexpected', `the rule ${JSON.stringify(rule)} is not a list of Host matchers`);
  const hosts = [...rule.matchAll(/Host\(`([^`]+)`\)/g)].map((match) => match[1] ?? '');
  const unsafe = hosts.find((host) => !isSafeHostname(host));
  if (unsafe !== undefined) return failure('traefik.unsafe-host', `the rule holds the unsafe hostname ${JSON.stringify(unsafe)}`);

  const modified = digest(body) !== bodyDigest;
  return { ok: true, tenant, hosts, hash: modified ? '' : hash, modified };
}

function readRule(value: unknown, router: string): string | undefined {
  const http = field(value, 'http');
  const routers = field(http, 'routers');
  const rule = field(field(routers, router), 'rule');
  return typeof rule === 'string' ? rule : undefined;
}

function field(value: unknown, key: string): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  return Object.hasOwn(value, key) ? (value as Record<string, unknown>)[key] : undefined;
}

function failure(code: RouteFileErrorCode, message: string): ParsedRouteFile {
  return { ok: false, code, message };
}
