#!/usr/bin/env bash
# Installs the Debian packages the test suite runs for real (PostgreSQL 15,
# Docker engine, Redis, Prometheus, busybox-static) and the compilers the n8n
# image build needs (make, g++, python3), when any is missing.
# Called by `npm test` (pretest) and by .ci/run; a no-op when all are present.
set -euo pipefail

missing=()
[ -x /usr/lib/postgresql/15/bin/initdb ] || missing+=(postgresql-15)
command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v prometheus >/dev/null 2>&1 || missing+=(prometheus)
command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
# The compose test (deploy/compose.test.ts) and the Alertmanager test (deploy/alerting.test.ts).
command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
command -v amtool >/dev/null 2>&1 || missing+=(prometheus-alertmanager)
# The status page's browser test (controller/http/status-page-browser.test.ts), driven by playwright-core.
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /bin/busybox ] || missing+=(busybox-static)
command -v git >/dev/null 2>&1 || missing+=(git)
command -v ip >/dev/null 2>&1 || missing+=(iproute2)
# The n8n images compile sqlite3 (and isolated-vm on 1.x) from source: their
# prebuilt binaries come from github.com (docs/n8n-image.md). flock serialises builds.
command -v make >/dev/null 2>&1 || missing+=(make)
command -v g++ >/dev/null 2>&1 || missing+=(g++)
command -v python3 >/dev/null 2>&1 || missing+=(python3)
command -v flock >/dev/null 2>&1 || missing+=(util-linux)

[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "rp9 tests need these Debian packages: ${missing[*]}" >&2
  echo "Install them as root: apt-get install -y --no-install-recommends ${missing[*]}" >&2
  exit 2
fi
echo "Installing test dependencies: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# Another apt run (a CI job, another checkout) may hold the dpkg lock: wait for it, up to 10 min.
apt-get -o DPkg::Lock::Timeout=600 update -qq
apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
