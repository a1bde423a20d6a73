// The canonical JSON of a role's n8n env without stringifying the whole object
// for every tenant: per context, n8n line and role, the env is rendered once with marker
// values, split at the markers, and each tenant's text is the parts joined with
// its own values, JSON-escaped. The result is byte for byte what
// canonicalJson(n8nEnv(role, input, context, line)) prints (env-canonical.test.ts),
// so container hashes do not change. Stringifying 25 keys per container was
// the largest single cost of compiling 10,000 tenants.
import type { ContainerRole } from '../model.js';
import type { CompileContext } from './context.js';
import { canonicalJson } from './hash.js';
import { n8nEnv, type N8nEnvInput, type N8nLine } from './n8n-env.js';

type Field = keyof N8nEnvInput;

const FIELDS: readonly Field[] = ['tenant', 'host', 'database', 'dbUser', 'brokerPort', 'queuePrefix', 'redisKeyPrefix'];
/** A marker no validated tenant value can contain (NUL), one per input field. */
const MARKER: Record<Field, string> = { tenant: '\u0000t', host: '\u0000h', database: '\u0000d', dbUser: '\u0000u', brokerPort: '\u0000p', queuePrefix: '\u0000q', redisKeyPrefix: '\u0000k' };
/** How JSON.stringify writes a marker inside a string. */
const ESCAPED_MARKER = /\\u0000([thdupqk])/g;
const FIELD_OF: Record<string, Field> = { t: 'tenant', h: 'host', d: 'database', u: 'dbUser', p: 'brokerPort', q: 'queuePrefix', k: 'redisKeyPrefix' };

export interface EnvTextTemplate {
  /** Literal text; parts.length === fields.length + 1. */
  parts: string[];
  fields: Field[];
}

export function envTextTemplate(role: ContainerRole, context: CompileContext, line: N8nLine): EnvTextTemplate {
  const text = canonicalJson(n8nEnv(role, MARKER, context, line));
  const parts: string[] = [];
  const fields: Field[] = [];
  let last = 0;
  for (const match of text.matchAll(ESCAPED_MARKER)) {
    parts.push(text.slice(last, match.index));
    fields.push(FIELD_OF[match[1] as string] as Field);
    last = match.index + match[0].length;
  }
  parts.push(text.slice(last));
  return { parts, fields };
}

/** The JSON-escaped inside of a string value, as it appears within a longer JSON string. */
function escapedInner(value: string): string {
  return JSON.stringify(value).slice(1, -1);
}

/** canonicalJson(n8nEnv(role, input, context, line)) from the role's template. */
export function envText(template: EnvTextTemplate, input: N8nEnvInput): string {
  for (const field of FIELDS) {
    if (input[field].includes('\u0000')) throw new RangeError(`${field} must not contain NUL`);
  }
  const escaped: Record<Field, string> = {
    tenant: escapedInner(input.tenant),
    host: escapedInner(input.host),
    database: escapedInner(input.database),
    dbUser: escapedInner(input.dbUser),
    brokerPort: escapedInner(input.brokerPort),
    queuePrefix: escapedInner(input.queuePrefix),
    redisKeyPrefix: escapedInner(input.redisKeyPrefix),
  };
  let out = template.parts[0] as string;
  for (let i = 0; i < template.fields.length; i++) out += escaped[template.fields[i] as Field] + (template.parts[i + 1] as string);
  return out;
}
