#!/usr/bin/env bash
# Installs the Debian packages named that are not installed yet, as root or
# through sudo; prints nothing on stdout (callers may capture it), and exits
# non-zero naming the packages when it cannot.
#
#   scripts/packages.sh PACKAGE...
set -euo pipefail
missing=()
for p in "$@"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
echo "packages: installing ${missing[*]}" >&2
{
  as_root apt-get update -q &&
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
} >&2 || { echo "packages: cannot install ${missing[*]}" >&2; exit 1; }
