// Reads the versions the npm registry offers from a package document
// (packument): the `time` map gives each version's publish date. Pure: the
// runner fetches policies.upgrades.registryUrl and passes the body in.
import semver from 'semver';
import { BotError } from '../core/errors.js';

export interface AvailableVersion {
  version: string;
  publishedAt: Date;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Published, non-deprecated versions with their publish dates, oldest first.
 * Versions above the `latest` dist-tag (pre-release channels such as `next`)
 * and versions no longer in `versions` (unpublished) are left out; prerelease
 * versions are kept (the decision filters them).
 */
export function parseNpmVersions(packument: unknown): AvailableVersion[] {
  let document = packument;
  if (typeof document === 'string') {
    try {
      document = JSON.parse(document) as unknown;
    } catch (error) {
      throw new BotError('upgrades.packument-invalid', `npm packument is not JSON: ${(error as Error).message}`);
    }
  }
  if (!isRecord(document) || !isRecord(document.time)) {
    throw new BotError('upgrades.packument-invalid', 'npm packument has no "time" map (ask the registry for the full document, not the abbreviated one)');
  }
  const versions = isRecord(document.versions) ? document.versions : undefined;
  const latestTag = isRecord(document['dist-tags']) ? document['dist-tags'].latest : undefined;
  const latest = typeof latestTag === 'string' ? semver.valid(latestTag) : null;

  const found: AvailableVersion[] = [];
  for (const [version, published] of Object.entries(document.time)) {
    if (!semver.valid(version) || typeof published !== 'string') continue;
    const publishedAt = new Date(published);
    if (Number.isNaN(publishedAt.getTime())) continue;
    if (versions) {
      const manifest = versions[version];
      if (manifest === undefined) continue;
      if (isRecord(manifest) && typeof manifest.deprecated === 'string' && manifest.deprecated !== '') continue;
    }
    if (latest && semver.gt(version, latest)) continue;
    found.push({ version, publishedAt });
  }
  return found.sort((a, b) => semver.compare(a.version, b.version));
}
