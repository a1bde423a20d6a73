// Conversions between database rows and store records, the same for both backends.

export function toDate(value: unknown): Date {
  return value instanceof Date ? value : new Date(String(value));
}

export function toDateOrNull(value: unknown): Date | null {
  return value === null || value === undefined ? null : toDate(value);
}

export function toJson(value: unknown): string {
  return JSON.stringify(value ?? {});
}

/** jsonb comes back parsed from both drivers; a string is parsed defensively. */
export function fromJson<T>(value: unknown, fallback: T): T {
  if (value === null || value === undefined) return fallback;
  if (typeof value === 'string') return JSON.parse(value) as T;
  return value as T;
}

export function textOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}
