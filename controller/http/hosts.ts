// Which requests are for the controller itself and which are a suspended
// tenant's hostname that Traefik routed here.
import { isIP } from 'node:net';

/** Host header without port, lower-cased; IPv6 brackets removed. */
export function hostName(hostHeader: string | undefined): string | undefined {
  if (!hostHeader) return undefined;
  const value = hostHeader.trim().toLowerCase();
  if (value.startsWith('[')) {
    const end = value.indexOf(']');
    return end > 0 ? value.slice(1, end) : undefined;
  }
  const colon = value.indexOf(':');
  const name = colon >= 0 ? value.slice(0, colon) : value;
  return name.endsWith('.') ? name.slice(0, -1) : name;
}

/**
 * True when the request should get the controller's own routes: no controller
 * hosts configured, no Host header, an IP literal, localhost, or a listed name.
 */
export function isControllerHost(hostHeader: string | undefined, controllerHosts: readonly string[] | undefined): boolean {
  if (!controllerHosts || controllerHosts.length === 0) return true;
  const name = hostName(hostHeader);
  if (!name || name === 'localhost' || isIP(name) !== 0) return true;
  return controllerHosts.some((host) => host.toLowerCase() === name);
}
