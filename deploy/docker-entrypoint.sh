#!/bin/sh
# auscult container entrypoint (POSIX sh). Runs as root with only the capabilities the README's
# `docker run` grants, before auscult itself opens the interface and drops to AUSCULT_USER:
#  1. An empty directory mounted on /etc/auscult hides the shipped config: then the copy kept in
#     the image (AUSCULT_DEFAULT_CONFIG) is used, and the log says so.
#  2. Volumes mounted from the host are root-owned: the database and log directories are given
#     to AUSCULT_USER (only when they are not already its own), so the sensor can still write
#     after dropping privileges. Started with `docker run --user`, nothing is changed.
#  3. Then auscult replaces this shell (exec), so signals reach it directly.
set -eu

user="${AUSCULT_USER:-auscult}"
config="${AUSCULT_CONFIG:-/etc/auscult/auscult.yaml}"
default_config="${AUSCULT_DEFAULT_CONFIG:-/app/config/auscult.yaml}"
bin="${AUSCULT_BIN:-/app/bin/auscult.js}"
say() { printf 'auscult-entrypoint: %s\n' "$*" >&2; }

if [ ! -f "$config" ]; then
  say "$config is absent (an empty config volume?): using the shipped defaults $default_config"
  config="$default_config"
fi
export AUSCULT_CONFIG="$config"

if [ "$(id -u)" = 0 ] && [ -n "$user" ] && id "$user" >/dev/null 2>&1; then
  uid="$(id -u "$user")"
  gid="$(id -g "$user")"
  for path in "${AUSCULT_DB:-/var/lib/auscult/auscult.db}" "${AUSCULT_EXCEPTIONS:-/var/log/auscult/exceptions.ndjson}"; do
    dir="$(dirname "$path")"
    mkdir -p "$dir"
    if [ "$(stat -c %u "$dir")" != "$uid" ]; then
      if chown -R "$uid:$gid" "$dir" 2>/dev/null; then
        say "$dir: given to $user ($uid:$gid) so that the sensor can write after dropping root"
      else
        say "$dir: cannot chown to $user ($uid:$gid); add --cap-add CHOWN, or run: chown -R $uid:$gid <host dir of $dir>"
      fi
    fi
  done
fi

exec node "$bin" "$@"
