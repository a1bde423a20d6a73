// Build context of the tiny image that stands in for n8n in tests: FROM
// scratch, a static busybox with its applets as symlinks, and a start script
// that behaves like n8n as far as the controller can tell. It prints its role
// (derived from its command and environment), then answers
// `GET /healthz` and `GET /healthz/readiness` with 200 {"status":"ok"} on
// N8N_PORT (default 5678) in every mode; `worker` mode just stays up too.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { packTar, type TarEntry } from './ustar.js';

export const BUSYBOX_PATH = '/bin/busybox';

const ENTRYPOINT = `#!/bin/sh
# Stand-in for n8n's docker-entrypoint.sh: "n8n", "start", "worker", "webhook".
if [ "$1" = "n8n" ]; then shift; fi
case "$1" in
  worker) role=worker; port="\${QUEUE_HEALTH_CHECK_PORT:-\${N8N_PORT:-5678}}" ;;
  webhook) role=webhook; port="\${N8N_PORT:-5678}" ;;
  ""|start) role=main; port="\${N8N_PORT:-5678}" ;;
  *) echo "rp9-test-n8n: unknown command: $*" >&2; exit 2 ;;
esac
# Names only: values may be secrets.
names=$(env | sed -n 's/^\\([A-Za-z_][A-Za-z0-9_]*\\)=.*/\\1/p' | sort | tr '\\n' ',' | sed 's/,$//')
echo "rp9-test-n8n role=$role port=$port executions_mode=\${EXECUTIONS_MODE:-regular} env=$names"
exec nc -ll -p "$port" -e /bin/rp9-healthz
`;

const HEALTHZ = `#!/bin/sh
# One HTTP exchange on stdin/stdout (run by "nc -ll -e" per connection).
read -r method path proto
while read -r line; do
  line=$(printf '%s' "$line" | tr -d '\\r')
  [ -z "$line" ] && break
done
case "$path" in
  /healthz|/healthz/|/healthz/readiness) status='200 OK'; body='{"status":"ok"}' ;;
  *) status='404 Not Found'; body='{"code":404,"message":"not found"}' ;;
esac
printf 'HTTP/1.1 %s\\r\\nContent-Type: application/json; charset=utf-8\\r\\nContent-Length: %s\\r\\nConnection: close\\r\\n\\r\\n%s' "$status" "\${#body}" "$body"
`;

const DOCKERFILE = `FROM scratch
COPY rootfs/ /
ENV PATH=/bin
EXPOSE 5678
ENTRYPOINT ["/docker-entrypoint.sh"]
`;

/** The applets the host's busybox provides (the same binary goes into the image). */
export function busyboxApplets(busybox = BUSYBOX_PATH): string[] {
  const list = execFileSync(busybox, ['--list'], { encoding: 'utf8' });
  return list.split('\n').map((s) => s.trim()).filter((s) => /^[A-Za-z0-9_.[-]+$/.test(s) && s !== 'busybox');
}

/** Entries of the build context: Dockerfile plus rootfs/ (busybox, applet symlinks, scripts). */
export function n8nTestContextEntries(busybox: Buffer, applets: string[]): TarEntry[] {
  return [
    { type: 'file', name: 'Dockerfile', content: DOCKERFILE },
    { type: 'directory', name: 'rootfs' },
    { type: 'directory', name: 'rootfs/bin' },
    { type: 'directory', name: 'rootfs/tmp', mode: 0o1777 },
    { type: 'directory', name: 'rootfs/www' },
    { type: 'file', name: 'rootfs/bin/busybox', content: busybox, mode: 0o755 },
    ...applets.map((name): TarEntry => ({ type: 'symlink', name: `rootfs/bin/${name}`, target: 'busybox' })),
    { type: 'file', name: 'rootfs/bin/rp9-healthz', content: HEALTHZ, mode: 0o755 },
    { type: 'file', name: 'rootfs/docker-entrypoint.sh', content: ENTRYPOINT, mode: 0o755 },
  ];
}

/** The whole build context as an uncompressed tar. */
export function n8nTestContext(busyboxPath = BUSYBOX_PATH): Buffer {
  return packTar(n8nTestContextEntries(readFileSync(busyboxPath), busyboxApplets(busyboxPath)));
}
