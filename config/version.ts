import valid from 'semver/functions/valid.js';

/** n8n versions are image tags: exact semantic versions in canonical form ("1.123.4", not "v1.123" or "latest"). */
const PLAIN_VERSION = /^(0|[1-9][0-9]{0,8})\.(0|[1-9][0-9]{0,8})\.(0|[1-9][0-9]{0,8})$/;

export function isExactVersion(version: string): boolean {
  return PLAIN_VERSION.test(version) || valid(version) === version;
}
