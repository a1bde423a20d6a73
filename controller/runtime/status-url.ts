// The link commit statuses carry: the status page. RP9_PUBLIC_URL in
// production; otherwise the address the controller listens on, when that
// names one host (a wildcard address names none a reader could open).

const WILDCARDS: ReadonlySet<string> = new Set(['', '0.0.0.0', '::', '[::]', '*']);

/**
 * `publicUrl` when set; else `http://<host>:<port>/` for a concrete listen
 * address and a bound port; else undefined (statuses then carry no link).
 */
export function statusPageUrl(publicUrl: string | undefined, listen: { host: string; port: number }): string | undefined {
  if (publicUrl) return publicUrl;
  if (WILDCARDS.has(listen.host) || !Number.isInteger(listen.port) || listen.port <= 0) return undefined;
  const host = listen.host.includes(':') ? `[${listen.host}]` : listen.host;
  return `http://${host}:${listen.port}/`;
}
