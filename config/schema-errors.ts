// ajv errors → diagnostics with a position, a dotted path, a stable code and
// a sentence a person can act on.
import type { ErrorObject } from 'ajv/dist/2020.js';
import { formatPath, makeDiagnostic, quote, type PathSegment } from './diagnostic.js';
import type { Locator } from './locator.js';
import { closest, describeFormat, describePattern, describeType, expectedType } from './schema-messages.js';
import type { SchemaKind } from './schema-validate.js';
import { describeUnsafe, isInjectionSensitive, unsafeCharacters } from './unsafe-value.js';
import type { Diagnostic } from './types.js';

const RANGE_KEYWORDS = new Set([
  'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf',
  'minLength', 'maxLength', 'minItems', 'maxItems', 'minProperties', 'maxProperties',
]);

/** JSON pointer → path segments, with array indexes as numbers (decided by walking the value). */
export function pointerToPath(root: unknown, pointer: string): PathSegment[] {
  if (pointer === '') return [];
  const path: PathSegment[] = [];
  let node = root;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node)) {
      const index = Number(key);
      path.push(index);
      node = node[index];
    } else {
      path.push(key);
      node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined;
    }
  }
  return path;
}

function named(path: readonly PathSegment[]): string {
  return path.length === 0 ? 'the document' : formatPath(path);
}

function within(path: readonly PathSegment[]): string {
  return path.length === 0 ? 'at the top level' : `in ${formatPath(path)}`;
}

/** ajv errors looked at per file; a hostile file can produce tens of thousands, and only a few are shown. */
const MAX_SCHEMA_ERRORS = 100;

export function schemaDiagnostics(kind: SchemaKind, file: string, value: unknown, allErrors: readonly ErrorObject[], locator: Locator): Diagnostic[] {
  const errors = allErrors.slice(0, MAX_SCHEMA_ERRORS);
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  const push = (code: string, path: PathSegment[], target: 'key' | 'value', message: string, at?: readonly PathSegment[]) => {
    const formatted = formatPath(path);
    const dedupe = `${code}\u0000${target}\u0000${formatted}`;
    if (seen.has(dedupe)) return;
    seen.add(dedupe);
    out.push(makeDiagnostic(code, file, locator.locate(at ?? path, target), formatted, message));
  };

  for (const error of errors) {
    const base = pointerToPath(value, error.instancePath);
    const params = error.params as Record<string, unknown>;
    if (error.keyword === 'propertyNames') {
      const key = String(params.propertyName);
      if (errors.some((e) => e !== error && e.propertyName === key && e.instancePath === error.instancePath)) continue;
      push('schema.invalid', [...base, key], 'key', `key ${quote(key)} ${within(base)} is not allowed`);
      continue;
    }
    if (error.propertyName !== undefined) {
      const key = error.propertyName;
      const path = [...base, key];
      if (error.keyword === 'pattern' && kind === 'tenant' && isInjectionSensitive(path) && unsafeCharacters(key).length > 0) {
        push('tenant.unsafe-value', path, 'key', `key ${quote(key)} ${within(base)} ${describeUnsafe(key)}; use ${describePattern(String(params.pattern))}`);
      } else if (error.keyword === 'pattern') {
        push('schema.pattern', path, 'key', `key ${quote(key)} ${within(base)} is not valid: use ${describePattern(String(params.pattern))}`);
      } else if (RANGE_KEYWORDS.has(error.keyword)) {
        push('schema.range', path, 'key', `key ${quote(key.length > 40 ? `${key.slice(0, 40)}…` : key)} ${within(base)} is too long (at most ${String(params.limit)} characters)`);
      } else {
        push('schema.invalid', path, 'key', `key ${quote(key)} ${within(base)} is not valid: ${error.message ?? 'rejected by the schema'}`);
      }
      continue;
    }
    const data = error.data;
    switch (error.keyword) {
      case 'additionalProperties': {
        const key = String(params.additionalProperty);
        const properties = (error.parentSchema as { properties?: Record<string, unknown> } | undefined)?.properties ?? {};
        const allowed = Object.keys(properties);
        const hint = closest(key, allowed);
        const list = allowed.length > 0 ? `; allowed: ${allowed.join(', ')}` : '';
        push('schema.unknown-field', [...base, key], 'key', `unknown field ${quote(key)} ${within(base)}${list}${hint ? ` (did you mean "${hint}"?)` : ''}`);
        break;
      }
      case 'required': {
        const missing = String(params.missingProperty);
        push('schema.required', [...base, missing], 'value', `missing required field ${quote(missing)} ${within(base)}`, base);
        break;
      }
      case 'type':
        push('schema.type', base, 'value', `${named(base)} must be ${expectedType(params.type)}, got ${describeType(data)}${typeof data === 'string' || typeof data === 'number' || typeof data === 'boolean' ? ` (${quote(data)})` : ''}`);
        break;
      case 'enum': {
        const allowed = (params.allowedValues as unknown[]).map(String);
        const hint = typeof data === 'string' ? closest(data, allowed) : undefined;
        push('schema.enum', base, 'value', `${named(base)} must be one of ${allowed.map((a) => `"${a}"`).join(', ')}; got ${quote(data)}${hint ? ` (did you mean "${hint}"?)` : ''}`);
        break;
      }
      case 'const':
        push('schema.enum', base, 'value', `${named(base)} must be ${quote(params.allowedValue)}; got ${quote(data)}`);
        break;
      case 'pattern': {
        const text = String(data);
        if (kind === 'tenant' && isInjectionSensitive(base) && unsafeCharacters(text).length > 0) {
          push('tenant.unsafe-value', base, 'value', `${named(base)} ${quote(text)} ${describeUnsafe(text)}; use ${describePattern(String(params.pattern))}`);
        } else {
          push('schema.pattern', base, 'value', `${named(base)} ${quote(text)} is not valid: use ${describePattern(String(params.pattern))}`);
        }
        break;
      }
      case 'format':
        push('schema.format', base, 'value', `${named(base)} ${quote(data)} is not valid: expected ${describeFormat(String(params.format))}`);
        break;
      case 'uniqueItems': {
        const later = Number(params.i);
        const earlier = Number(params.j);
        const item = Array.isArray(data) ? data[later] : undefined;
        push('schema.unique-items', [...base, later], 'value', `${formatPath([...base, later])} repeats ${formatPath([...base, earlier])} (${quote(item)}); items must be unique`);
        break;
      }
      default:
        if (RANGE_KEYWORDS.has(error.keyword)) push('schema.range', base, 'value', rangeMessage(base, error.keyword, params, data));
        else push('schema.invalid', base, 'value', `${named(base)} is not valid: ${error.message ?? 'rejected by the schema'}`);
    }
  }
  return out;
}

function count(n: unknown, word: string): string {
  return `${String(n)} ${word}${Number(n) === 1 ? '' : 's'}`;
}

function rangeMessage(path: readonly PathSegment[], keyword: string, params: Record<string, unknown>, data: unknown): string {
  const name = named(path);
  const { limit } = params;
  switch (keyword) {
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return `${name} must be ${String(params.comparison)} ${String(limit)}; got ${quote(data)}`;
    case 'multipleOf':
      return `${name} must be a multiple of ${String(params.multipleOf)}; got ${quote(data)}`;
    case 'minLength':
      return `${name} must be at least ${count(limit, 'character')} long`;
    case 'maxLength':
      return `${name} must be at most ${count(limit, 'character')} long (it has ${typeof data === 'string' ? data.length : '?'})`;
    case 'minItems':
      return `${name} must have at least ${count(limit, 'item')}`;
    case 'maxItems':
      return `${name} must have at most ${count(limit, 'item')} (it has ${Array.isArray(data) ? data.length : '?'})`;
    case 'minProperties':
      return `${name} must have at least ${count(limit, 'entry').replace(/entrys$/, 'entries')}`;
    default:
      return `${name} must have at most ${count(limit, 'entry').replace(/entrys$/, 'entries')}`;
  }
}
