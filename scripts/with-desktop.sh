#!/usr/bin/env bash
# Runs a command inside a throwaway desktop session: a private D-Bus session bus, an unlocked
# gnome-keyring (the real Secret Service), a virtual X server, and fresh XDG dirs, so tests
# never touch the user's keychain, settings or running Tokdeck.
#   scripts/with-desktop.sh cargo test ...
set -euo pipefail

if [ -z "${TOKDECK_DESKTOP_SESSION:-}" ]; then
  export TOKDECK_DESKTOP_SESSION=1
  exec dbus-run-session -- "$0" "$@"
fi

root=$(mktemp -d -t tokdeck-desktop.XXXXXX)
cleanup() {
  [ -n "${xvfb_pid:-}" ] && kill "$xvfb_pid" 2>/dev/null || true
  [ -n "${keyring_pid:-}" ] && kill "$keyring_pid" 2>/dev/null || true
  rm -rf "$root"
}
trap cleanup EXIT

export XDG_DATA_HOME="$root/data" XDG_CONFIG_HOME="$root/config" XDG_CACHE_HOME="$root/cache"
export XDG_RUNTIME_DIR="$root/runtime"
mkdir -p "$XDG_DATA_HOME" "$XDG_CONFIG_HOME" "$XDG_CACHE_HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"
export NO_AT_BRIDGE=1 GTK_A11Y=none

# A keyring with a known password, created and unlocked without a prompt.
keyring_env=$(printf '%s' "tokdeck-test-keyring" | gnome-keyring-daemon --unlock --components=secrets --daemonize)
while IFS='=' read -r key value; do
  case "$key" in GNOME_KEYRING_*) export "$key=$value" ;; esac
done <<<"$keyring_env"
keyring_pid=${GNOME_KEYRING_PID:-}

if [ -z "${TOKDECK_NO_X:-}" ]; then
  exec 3>"$root/display"
  Xvfb -displayfd 3 -screen 0 1280x900x24 -nolisten tcp >"$root/xvfb.log" 2>&1 &
  xvfb_pid=$!
  for _ in $(seq 1 100); do
    [ -s "$root/display" ] && break
    sleep 0.05
  done
  export DISPLAY=":$(head -n1 "$root/display")"
fi

"$@"
