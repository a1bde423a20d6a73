// Available n8n versions from the npm registry: GET the package document
// (policies.upgrades.registryUrl) and read it with parseNpmVersions.
import { parseNpmVersions, type AvailableVersion } from '../upgrades/npm.js';
import { SourceReadError } from './errors.js';

export interface NpmVersionsOptions {
  /** Default 15 s. */
  timeoutMs?: number;
  /** Largest accepted document (default 64 MiB; n8n's packument is tens of MB). */
  maxBytes?: number;
  fetch?: typeof fetch;
}

export async function fetchNpmVersions(url: string, options: NpmVersionsOptions = {}): Promise<AvailableVersion[]> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
  let response: Response;
  try {
    response = await (options.fetch ?? fetch)(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    throw new SourceReadError('sources.registry-unreachable', `npm registry ${url}: ${(error as Error).message}`);
  }
  if (!response.ok) throw new SourceReadError('sources.registry-bad-response', `npm registry ${url} answered ${response.status}`);
  const length = Number(response.headers.get('content-length') ?? '0');
  if (length > maxBytes) throw new SourceReadError('sources.registry-bad-response', `npm registry ${url}: document of ${length} bytes exceeds ${maxBytes}`);
  const text = await response.text();
  if (text.length > maxBytes) throw new SourceReadError('sources.registry-bad-response', `npm registry ${url}: document exceeds ${maxBytes} bytes`);
  return parseNpmVersions(text);
}
