#!/usr/bin/env bash
# Installs the system packages analogwatch needs that pip cannot provide: a Java runtime for
# OPSIN (systematic-name parsing); with the argument "test", also Chromium for the dashboard's
# browser tests (driven by Playwright with executable_path=/usr/bin/chromium; no browser download).
set -euo pipefail
need=()
command -v java >/dev/null 2>&1 || need+=(default-jre-headless)
if [ "${1:-}" = "test" ]; then
  [ -x /usr/bin/chromium ] || need+=(chromium)
fi
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "analogwatch needs these system packages: ${need[*]} (run as root or install them)" >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"
fi
