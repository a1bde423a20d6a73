import Docker from 'dockerode';

/** A dockerode client for DOCKER_HOST (`unix:///path`, `tcp://host:port`) or the default socket. Calls time out instead of hanging. */
export function dockerClient(dockerHost: string | undefined, timeoutMs = 60_000): Docker {
  if (!dockerHost) return new Docker({ socketPath: '/var/run/docker.sock', timeout: timeoutMs });
  if (dockerHost.startsWith('unix://')) return new Docker({ socketPath: dockerHost.slice('unix://'.length), timeout: timeoutMs });
  if (dockerHost.startsWith('/')) return new Docker({ socketPath: dockerHost, timeout: timeoutMs });
  const url = new URL(dockerHost.replace(/^tcp:/, 'http:'));
  return new Docker({ host: url.hostname, port: Number(url.port || 2375), protocol: 'http', timeout: timeoutMs });
}
