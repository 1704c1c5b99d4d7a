#!/usr/bin/env bash
# Make this machine ready for forager's tests, idempotently: the Docker engine and the
# base image (through `forager setup`), Redis for distributed mode, Chromium for the
# viewer's browser tests. Installs only what is missing, and only as root on Debian/Ubuntu;
# elsewhere it says what is missing and the tests that need it fail, saying why.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v dockerd >/dev/null 2>&1 || missing+=(docker.io iptables)
command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
[ -x /usr/bin/chromium ] || missing+=(chromium)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "test-env: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "test-env: missing ${missing[*]} (install them with your package manager); tests that need them will fail" >&2
  fi
fi

# The engine and the base image: the same code path users run.
node bin/forager.js setup

# Redis on the default port, for the distributed-mode tests.
if command -v redis-server >/dev/null 2>&1 && ! (exec 3<>/dev/tcp/127.0.0.1/6379) 2>/dev/null; then
  redis-server --daemonize yes --port 6379 --bind 127.0.0.1 --save '' --appendonly no >/dev/null
  echo "test-env: started redis-server on 127.0.0.1:6379"
fi
