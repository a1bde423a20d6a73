import valid from 'semver/functions/valid.js';

// The common shape, checked without parsing; anything else (prereleases, build metadata) goes to semver.
const PLAIN_VERSION = /^(0|[1-9][0-9]{0,8})\.(0|[1-9][0-9]{0,8})\.(0|[1-9][0-9]{0,8})$/;

/** n8n versions are image tags: exact semantic versions in canonical form ("1.123.4", not "v1.123" or "latest"). */
export function isExactVersion(version: string): boolean {
  return PLAIN_VERSION.test(version) || valid(version) === version;
}
