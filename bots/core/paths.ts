/**
 * A field path in the dotted form diagnostics use: `spec.resources.workers`,
 * `spec.customDomains[1]`, `metadata.labels["rp9.io/canary"]` (keys that
 * aren't simple words are bracketed and quoted).
 */
export function dottedPath(path: readonly (string | number)[]): string {
  return path.map((key, index) => segment(key, index === 0)).join('');
}

function segment(key: string | number, first: boolean): string {
  if (typeof key === 'number') return `[${key}]`;
  if (/^[A-Za-z0-9_-]+$/.test(key)) return first ? key : `.${key}`;
  return `[${JSON.stringify(key)}]`;
}

/** Appends one key or index to an already dotted path. */
export function childPath(prefix: string, key: string | number): string {
  return `${prefix}${segment(key, prefix === '')}`;
}
