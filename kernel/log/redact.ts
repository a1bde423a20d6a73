// Redaction of secrets before anything reaches a log line. Keys that look like
// they hold a credential are replaced wholesale; string values are scrubbed of
// URL passwords and bearer tokens, which hide in connection strings and errors.

/** Keys whose values never reach a log (matched case-insensitively, anywhere in the key). */
export const SECRET_KEY_PATTERN = /password|passwd|secret|token|key|authorization|cookie|signature|credential/i;
export const REDACTED = '[REDACTED]';

const MAX_DEPTH = 8;

/** Scrubs credentials out of free text: `scheme://user:pass@host` and `Bearer xyz`. */
export function redactString(text: string): string {
  return text
    .replace(/([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*):[^\s@/]*@/gi, `$1:${REDACTED}@`)
    .replace(/\b(bearer|token|basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi, `$1 ${REDACTED}`);
}

/** A JSON-safe deep copy of `value` with secret-looking keys replaced and cycles cut. */
export function redact(value: unknown): unknown {
  return walk(value, 0, new WeakSet());
}

function walk(value: unknown, depth: number, seen: WeakSet<object>): unknown {
  if (typeof value === 'string') return redactString(value);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'function' || typeof value === 'symbol') return undefined;
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return '[Circular]';
  if (depth >= MAX_DEPTH) return '[Truncated]';
  seen.add(value);
  try {
    if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
    if (value instanceof Error) return walkError(value, depth, seen);
    if (Buffer.isBuffer(value)) return `[Buffer ${value.length} bytes]`;
    if (Array.isArray(value)) return value.map((item) => walk(item, depth + 1, seen) ?? null);
    if (value instanceof Map) return walkEntries([...value.entries()].map(([k, v]) => [String(k), v]), depth, seen);
    if (value instanceof Set) return [...value].map((item) => walk(item, depth + 1, seen) ?? null);
    return walkEntries(Object.entries(value), depth, seen);
  } finally {
    seen.delete(value);
  }
}

function walkEntries(entries: [string, unknown][], depth: number, seen: WeakSet<object>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, item] of entries) {
    if (SECRET_KEY_PATTERN.test(key)) {
      out[key] = REDACTED;
      continue;
    }
    const copied = walk(item, depth + 1, seen);
    if (copied !== undefined) out[key] = copied;
  }
  return out;
}

function walkError(error: Error, depth: number, seen: WeakSet<object>): Record<string, unknown> {
  const out: Record<string, unknown> = { name: error.name, message: redactString(error.message) };
  const extra = walkEntries(Object.entries(error), depth, seen);
  Object.assign(out, extra);
  if (error.stack) out.stack = redactString(error.stack);
  if (error.cause !== undefined) out.cause = walk(error.cause, depth + 1, seen);
  return out;
}
