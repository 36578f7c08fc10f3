#!/usr/bin/env bash
# @smol/bullmq's tests start Debian's redis-server themselves (never a downloaded binary). Installs it when missing.
# Used by .ci/run and by the tests' Redis harness, so `pnpm test` works on a fresh machine too.
set -u
command -v redis-server >/dev/null 2>&1 && exit 0
[ -x /usr/bin/redis-server ] && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "redis-server is missing: install Debian's redis-server (apt-get install redis-server) to run the queue tests" >&2
  exit 1
fi
(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends redis-server) >/dev/null 2>&1
[ -x /usr/bin/redis-server ] || { echo "could not install redis-server with apt-get" >&2; exit 1; }
