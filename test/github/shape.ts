/** Key paths of a JSON value: objects by key, arrays by their first element (`[]`). Used to compare shapes with recordings. */
export function keyPaths(value: unknown, prefix = ''): string[] {
  if (Array.isArray(value)) return value.length > 0 ? keyPaths(value[0], `${prefix}[]`) : [];
  if (!value || typeof value !== 'object') return [];
  const out: string[] = [];
  for (const [key, inner] of Object.entries(value)) {
    const path = prefix ? `${prefix}.${key}` : key;
    out.push(path, ...keyPaths(inner, path));
  }
  return out;
}

/** Key paths present in `expected` but missing in `actual`, and the reverse. */
export function shapeDiff(expected: unknown, actual: unknown): { missing: string[]; extra: string[] } {
  const want = new Set(keyPaths(expected));
  const have = new Set(keyPaths(actual));
  return { missing: [...want].filter((p) => !have.has(p)), extra: [...have].filter((p) => !want.has(p)) };
}
