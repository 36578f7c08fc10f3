#!/usr/bin/env bash
# Browser tests drive Debian's chromium (never a downloaded browser). Installs it when missing.
# Used by .ci/run and by the demo's browser test, so `pnpm test` works on a fresh machine too.
set -u
[ -x /usr/bin/chromium ] && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "chromium is missing: install Debian's chromium (apt-get install chromium) to run the browser tests" >&2
  exit 1
fi
(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium) >/dev/null 2>&1
[ -x /usr/bin/chromium ] || { echo "could not install chromium with apt-get" >&2; exit 1; }
