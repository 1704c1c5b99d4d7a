#!/usr/bin/env bash
# Make this machine ready for forager's tests, idempotently: the Docker engine and the
# base image (through `forager setup`), the Podman service and its base image (through
# `forager setup --sandbox podman`, rootful, and rootless as a user of its own), Redis for
# distributed mode, Chromium for the viewer's browser tests. Installs only what is missing, and only as root on Debian/Ubuntu;
# elsewhere it says what is missing and the tests that need it fail, saying why.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v dockerd >/dev/null 2>&1 || missing+=(docker.io iptables)
command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v newuidmap >/dev/null 2>&1 || missing+=(uidmap)   # rootless Podman's user namespaces
command -v mkfs.ext4 >/dev/null 2>&1 || missing+=(e2fsprogs)
command -v python3 >/dev/null 2>&1 || missing+=(python3) # the host state reader (the layer watcher)
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

# gVisor for the runsc tier (the hostile suite under runsc) and the isolation tests:
# installed from Debian's runsc, registered with the engine (daemon.json, reloaded with
# SIGHUP: running containers are untouched) and checked by starting a sandbox. Where it
# cannot start, setup says why and the runsc tier is skipped with that reason.
node bin/forager.js setup --runtime runsc --recipe python || echo "test-env: runsc is not usable here (see above); the runsc tier will say why" >&2
node bin/forager.js setup --runtime runsc-memory --recipe python >/dev/null || true

# Podman beside Docker (its own socket, storage and bridge; docker0 and Docker's iptables
# chains untouched): `forager setup --sandbox podman` installs Debian's podman, netavark
# and catatonit, starts `podman system service` and makes its base image.
node bin/forager.js setup --sandbox podman

# Rootless Podman, for the tests of limits it cannot enforce here (tests/podman/rootless.test.ts):
# a user of its own whose service `forager setup --sandbox podman` starts as that user; the
# base image is handed over from root's store, since debootstrap needs root.
if [ "$(id -u)" = 0 ]; then
  user=forager-rootless
  id "$user" >/dev/null 2>&1 || useradd -m -s /bin/bash "$user"
  grep -q "^$user:" /etc/subuid || usermod --add-subuids 200000-265535 --add-subgids 200000-265535 "$user"
  as_user() { runuser -u "$user" -- env -i HOME="/home/$user" PATH="$PATH" "$@"; }
  if ! as_user test -r bin/forager.js; then
    echo "test-env: $user cannot read $(pwd): rootless Podman tests will fail (check out forager where other users can read it)" >&2
  else
    sock="unix:///tmp/podman-run-$(id -u "$user")/podman/podman.sock"
    # Starts the user's service; fails while its store lacks the base image.
    as_user node bin/forager.js setup --sandbox podman --recipe base >/dev/null 2>&1 || true
    if ! as_user env CONTAINER_HOST="$sock" podman --remote image exists forager-base:bookworm; then
      podman save localhost/forager-base:bookworm | as_user env CONTAINER_HOST="$sock" podman --remote load >/dev/null
      echo "test-env: handed forager-base:bookworm to $user's Podman store"
    fi
    as_user node bin/forager.js setup --sandbox podman --recipe base | sed "s/^/test-env ($user): /"
  fi
fi

# Redis on the default port, for the distributed-mode tests.
if command -v redis-server >/dev/null 2>&1 && ! (exec 3<>/dev/tcp/127.0.0.1/6379) 2>/dev/null; then
  redis-server --daemonize yes --port 6379 --bind 127.0.0.1 --save '' --appendonly no >/dev/null
  echo "test-env: started redis-server on 127.0.0.1:6379"
fi
