// Renders JSON-like values as YAML text for surgical edits, in the style of
// the example config: strings that start with a digit (versions, dates) are
// double-quoted, flow maps are padded (`{ a: 1 }`), flow sequences are not
// (`[a, b]`).
import { BotError } from './errors.js';

export type ScalarStyle = 'PLAIN' | 'QUOTE_DOUBLE' | 'QUOTE_SINGLE' | string | undefined;

const PLAIN_SAFE = /^[A-Za-z_][A-Za-z0-9 _./()+@-]*$/;
const RESERVED_PLAIN = /^(?:true|false|null|~|yes|no|on|off|y|n|\.inf|\.nan)$/i;

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Throws `bots.edit-invalid` unless the value is JSON-like (finite numbers, strings, booleans, null, arrays, plain objects). */
export function checkValue(value: unknown, where: string): void {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    if (Number.isFinite(value)) return;
    throw new BotError('bots.edit-invalid', `${where}: ${value} is not a finite number`);
  }
  if (Array.isArray(value)) {
    value.forEach((item, index) => checkValue(item, `${where}[${index}]`));
    return;
  }
  if (isPlainObject(value)) {
    for (const [key, item] of Object.entries(value)) {
      if (item === undefined) throw new BotError('bots.edit-invalid', `${where}.${key}: undefined inside a value (use a separate delete edit)`);
      checkValue(item, `${where}.${key}`);
    }
    return;
  }
  throw new BotError('bots.edit-invalid', `${where}: a ${typeof value} cannot be written to YAML`);
}

export function renderString(text: string, style?: ScalarStyle): string {
  if (style === 'QUOTE_DOUBLE') return JSON.stringify(text);
  if (style === 'QUOTE_SINGLE') return `'${text.replaceAll("'", "''")}'`;
  if (PLAIN_SAFE.test(text) && !text.endsWith(' ') && !RESERVED_PLAIN.test(text)) return text;
  return JSON.stringify(text);
}

export function renderScalar(value: unknown, style?: ScalarStyle): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return renderString(value, style);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new BotError('bots.edit-invalid', `not a scalar: ${JSON.stringify(value)}`);
}

/** One-line flow rendering: `{ a: 1, b: [x, y] }`. */
export function renderFlow(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(renderFlow).join(', ')}]`;
  if (isPlainObject(value)) {
    const entries = Object.entries(value);
    if (entries.length === 0) return '{}';
    return `{ ${entries.map(([key, item]) => `${renderString(key)}: ${renderFlow(item)}`).join(', ')} }`;
  }
  return renderScalar(value);
}

/**
 * A `key: value` entry of a block map at `indent`, as lines without a trailing
 * newline. Objects become nested block maps; arrays and scalars stay on one line.
 */
export function renderBlockEntry(key: string, value: unknown, indent: number, eol = '\n'): string {
  const pad = ' '.repeat(indent);
  if (isPlainObject(value) && Object.keys(value).length > 0) {
    const children = Object.entries(value).map(([childKey, child]) => renderBlockEntry(childKey, child, indent + 2, eol));
    return `${pad}${renderString(key)}:${eol}${children.join(eol)}`;
  }
  return `${pad}${renderString(key)}: ${renderFlow(value)}`;
}

/** Wraps a value in maps for the path segments that don't exist yet: (['n8n','version'], v) → { n8n: { version: v } }. */
export function nest(path: string[], value: unknown): unknown {
  return path.reduceRight<unknown>((inner, key) => ({ [key]: inner }), value);
}
