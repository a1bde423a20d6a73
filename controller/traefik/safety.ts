// Checks every string before it goes into a Traefik file. Rules are built only
// from values that pass these: a host that could close the backtick string or
// add a matcher never reaches a rule.
import { TraefikError } from './types.js';

/** Lowercase FQDN, at least two labels, labels of 1-63 [a-z0-9-] not starting or ending with '-', TLD starting with a letter. */
const HOSTNAME = /^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/;
/** Tenant names: a DNS label. */
const NAME = /^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/;
const OPTION = /^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/;
const HASH = /^[0-9a-f]{8,64}$/;
const URL_CHARS = /^https?:\/\/[A-Za-z0-9._~:/?#[\]@!$&'()*+,;=%-]+$/;

export function isSafeHostname(value: unknown): value is string {
  return typeof value === 'string' && HOSTNAME.test(value);
}

export function assertSafeHost(value: unknown): string {
  if (isSafeHostname(value)) return value;
  throw new TraefikError('traefik.unsafe-host', `refusing hostname ${JSON.stringify(value)}: not a lowercase fully qualified domain name`);
}

export function assertSafeName(value: unknown, what: string): string {
  if (typeof value === 'string' && NAME.test(value)) return value;
  throw new TraefikError('traefik.unsafe-name', `refusing ${what} ${JSON.stringify(value)}: not a DNS label`);
}

export function assertSafeHash(value: unknown): string {
  if (typeof value === 'string' && HASH.test(value)) return value;
  throw new TraefikError('traefik.unsafe-name', `refusing route hash ${JSON.stringify(value)}: not lowercase hex`);
}

export function assertSafeOption(value: unknown, what: string): string {
  if (typeof value === 'string' && OPTION.test(value)) return value;
  throw new TraefikError('traefik.unsafe-option', `refusing ${what} ${JSON.stringify(value)}: only letters, digits, '-' and '_'`);
}

/** An http(s) URL without credentials, whitespace or quotes. */
export function assertSafeUrl(value: unknown): string {
  if (typeof value !== 'string' || !URL_CHARS.test(value) || !URL.canParse(value)) {
    throw new TraefikError('traefik.unsafe-url', `refusing service URL ${JSON.stringify(value)}: not a plain http(s) URL`);
  }
  const url = new URL(value);
  if (url.username !== '' || url.password !== '') {
    throw new TraefikError('traefik.unsafe-url', `refusing service URL ${JSON.stringify(value)}: credentials are not allowed`);
  }
  return value;
}
