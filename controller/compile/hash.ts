// Stable hashing: canonical JSON (object keys sorted, no whitespace) -> sha256 -> short hex.
// The same value always gives the same hash, whatever order its keys were built in.
import * as crypto from 'node:crypto';

/** Hex characters kept from the sha256 digest (64 bits). */
export const HASH_LENGTH = 16;

export class HashError extends Error {
  readonly code = 'hash.unsupported-value';
}

export function canonicalJson(value: unknown): string {
  // Fast path: a value already in canonical shape (keys sorted at every level) is
  // what JSON.stringify prints. Compile builds its objects that way; anything else
  // takes the general path below. Both give the same text.
  return isCanonical(value) ? JSON.stringify(value) : canonicalText(value);
}

function isCanonical(value: unknown): boolean {
  if (value === null) return true;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value);
    case 'object': {
      if (Array.isArray(value)) {
        for (const item of value) if (item === undefined || !isCanonical(item)) return false;
        return true;
      }
      if (Object.getPrototypeOf(value) !== Object.prototype) return false;
      const record = value as Record<string, unknown>;
      let previous: string | undefined;
      for (const key in record) {
        if (previous !== undefined && !(previous < key)) return false;
        previous = key;
        const item = record[key];
        if (item === undefined || !isCanonical(item)) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

function canonicalText(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new HashError(`cannot hash the non-finite number ${String(value)}`);
      return JSON.stringify(value);
    case 'object':
      return Array.isArray(value) ? canonicalArray(value) : canonicalObject(value as Record<string, unknown>);
    default:
      throw new HashError(`cannot hash a value of type ${typeof value}`);
  }
}

function canonicalArray(values: unknown[]): string {
  let out = '[';
  for (let i = 0; i < values.length; i++) {
    if (i > 0) out += ',';
    const item = values[i];
    out += item === undefined ? 'null' : canonicalJson(item);
  }
  return `${out}]`;
}

function canonicalObject(record: Record<string, unknown>): string {
  const proto = Object.getPrototypeOf(record);
  if (proto !== Object.prototype && proto !== null) throw new HashError('cannot hash a non-plain object');
  const keys = Object.keys(record).sort();
  let out = '{';
  let first = true;
  for (const key of keys) {
    const item = record[key];
    if (item === undefined) continue;
    if (!first) out += ',';
    first = false;
    out += `${JSON.stringify(key)}:${canonicalJson(item)}`;
  }
  return `${out}}`;
}

/** sha256 of the text, as `length` hex characters. */
export function digest(text: string, length: number = HASH_LENGTH): string {
  // crypto.hash (Node >= 20.12) is the one-shot form: about twice as fast for short inputs.
  const hex = typeof crypto.hash === 'function' ? crypto.hash('sha256', text, 'hex') : crypto.createHash('sha256').update(text).digest('hex');
  return hex.slice(0, length);
}

/** Hash of a plain JSON value, independent of key order. */
export function stableHash(value: unknown, length: number = HASH_LENGTH): string {
  return digest(canonicalJson(value), length);
}
