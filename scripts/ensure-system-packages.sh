#!/usr/bin/env bash
# Install the Debian packages Wangge needs if they are missing; say exactly what to run otherwise.
set -euo pipefail
missing=()
for pkg in "$@"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ]; then
  echo "Installing system packages: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "Wangge needs these Debian packages: ${missing[*]}"
  echo "Run: sudo apt-get install -y ${missing[*]}"
  exit 1
fi
