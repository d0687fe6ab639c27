#!/usr/bin/env bash
# Debian packages the tests need and pip cannot provide: docker-compose (validates the compose file) and chromium
# (browser tests). Installed only when missing; as root directly, otherwise through sudo.
set -euo pipefail
missing=()
command -v docker-compose >/dev/null || missing+=(docker-compose)
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ ${#missing[@]} -eq 0 ] && exit 0
echo "== installing Debian packages: ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq || true  # a stale package list still installs from the mirror's cache
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
