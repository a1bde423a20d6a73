// Values that end up inside Traefik router rules (Host(`...`)) or container
// labels. A pattern failure on one of them caused by rule syntax characters is
// reported as `tenant.unsafe-value` rather than the generic `schema.pattern`.
import type { PathSegment } from './diagnostic.js';

const UNSAFE = /[`,()'"\s|&!{}$\\;<>]/;
const NAMES: [RegExp, string][] = [
  [/`/, 'backtick'],
  [/,/, 'comma'],
  [/\|\|/, '"||"'],
  [/&&/, '"&&"'],
  [/[()]/, 'parentheses'],
  [/['"]/, 'quotes'],
  [/\s/, 'whitespace'],
  [/[{}]/, 'braces'],
  [/[$\\;<>!]|(?<!\|)\|(?!\|)|(?<!&)&(?!&)/, 'shell or rule operators'],
];

/** Paths whose values reach routing rules or labels: name, subdomain, custom domains, labels (keys and values). */
export function isInjectionSensitive(path: readonly PathSegment[]): boolean {
  const [a, b, c] = path;
  if (a === 'metadata' && b === 'name' && path.length === 2) return true;
  if (a === 'metadata' && b === 'labels' && path.length === 3) return true;
  if (a === 'spec' && b === 'subdomain' && path.length === 2) return true;
  return a === 'spec' && b === 'customDomains' && typeof c === 'number' && path.length === 3;
}

/** Names of the rule-syntax characters found in `value` (empty when none). */
export function unsafeCharacters(value: string): string[] {
  if (!UNSAFE.test(value)) return [];
  return NAMES.filter(([pattern]) => pattern.test(value)).map(([, name]) => name);
}

export function describeUnsafe(value: string): string {
  return `contains characters that could inject into a routing rule (${unsafeCharacters(value).join(', ')})`;
}
