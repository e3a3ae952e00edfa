#!/usr/bin/env bash
# Installs a built .deb the way a user does and checks it end to end (`make install-test`):
#   1. dpkg installs it; the binary, desktop entry, icons and AppStream file are where software
#      centres and desktops look, and the installed metadata validates;
#   2. the app starts from the Exec line of the installed desktop entry (demo mode: the built-in
#      simulator, isolated HOME and XDG dirs, so nothing touches anyone's data);
#   3. `xdg-open tokdeck://focus` goes through the desktop's scheme handler (the package's entry)
#      to a second process, which forwards the link to the running instance over D-Bus and exits;
#      the running instance logs that it handled the link;
#   4. `dpkg -r` removes the package and leaves none of its files behind.
# Needs root (CI runs as root) and dpkg; otherwise it says why and skips. Run it inside
# scripts/with-desktop.sh (a D-Bus session and an X server of its own).
#   scripts/with-desktop.sh scripts/install-test.sh target/debug/bundle/deb/Tokdeck_*_amd64.deb
set -euo pipefail

skip() { echo "install-test: SKIPPED: $*"; exit 0; }
fail() { echo "install-test: FAILED: $*" >&2; exit 1; }
step() { echo "install-test: $*"; }

deb=${1:?usage: install-test.sh <package.deb>}
[ -f "$deb" ] || fail "no package at $deb"
command -v dpkg >/dev/null || skip "no dpkg on this machine (the test installs a .deb)"
[ "$(id -u)" -eq 0 ] || skip "not root (it installs into /usr; CI runs as root)"
[ -n "${DISPLAY:-}" ] && [ -n "${DBUS_SESSION_BUS_ADDRESS:-}" ] \
  || fail "run it inside scripts/with-desktop.sh (needs an X server and a D-Bus session)"

package=$(dpkg-deb -f "$deb" Package)
if dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then
  skip "$package is already installed on this machine; not replacing (and then removing) it"
fi

started=$(date +%s.%N)
root=$(mktemp -d -t tokdeck-install.XXXXXX)
app_pid=""
installed=""
cleanup() {
  if [ -n "$app_pid" ] && kill -0 "$app_pid" 2>/dev/null; then
    kill "$app_pid" 2>/dev/null || true
    wait "$app_pid" 2>/dev/null || true
  fi
  if [ -n "$installed" ]; then
    dpkg --purge "$package" >/dev/null 2>&1 || true
  fi
  rm -rf "$root"
}
trap cleanup EXIT

# Everything the app reads or writes lives under $root: a fresh user as far as it can tell.
export HOME="$root/home" XDG_DATA_HOME="$root/data" XDG_CONFIG_HOME="$root/config"
export XDG_CACHE_HOME="$root/cache" XDG_STATE_HOME="$root/state"
export TOKDECK_KEYCHAIN_SERVICE=tokdeck-install-test TOKDECK_LOG=info
# The generic xdg-open (no desktop environment here), reading /usr/share/applications.
unset XDG_CURRENT_DESKTOP DESKTOP_SESSION BROWSER XDG_DATA_DIRS
mkdir -p "$HOME" "$XDG_DATA_HOME" "$XDG_CONFIG_HOME" "$XDG_CACHE_HOME" "$XDG_STATE_HOME"

# How long any wait may take; each ends as soon as its condition holds.
PATIENCE=90
wait_until() { # description, command...
  local what=$1; shift
  local deadline=$((SECONDS + PATIENCE))
  until "$@"; do
    [ "$SECONDS" -lt "$deadline" ] || fail "timed out after ${PATIENCE}s waiting for $what"
    sleep 0.1
  done
}

# --- 1. install ------------------------------------------------------------------------------
mapfile -t files < <(dpkg-deb -c "$deb" | awk '$1 !~ /^d/ { p = $6; sub(/^\.?\/?/, "/", p); print p }')
[ "${#files[@]}" -gt 0 ] || fail "the package holds no files"
step "installing $deb (${#files[@]} files)"
installed=1
dpkg -i "$deb" >"$root/dpkg-install.log" 2>&1 || { cat "$root/dpkg-install.log" >&2; fail "dpkg -i"; }
for f in "${files[@]}"; do [ -e "$f" ] || fail "$f missing after install"; done
[ -x /usr/bin/tokdeck ] || fail "/usr/bin/tokdeck is not executable"
entry=$(dpkg -L "$package" | grep '^/usr/share/applications/.*\.desktop$' | head -n1)
[ -n "$entry" ] || fail "the package installs no desktop entry"
metainfo=$(dpkg -L "$package" | grep '^/usr/share/metainfo/.*\.xml$' | head -n1)
[ -n "$metainfo" ] || fail "the package installs no AppStream metadata"
desktop-file-validate "$entry" || fail "installed desktop entry $entry is invalid"
appstreamcli validate --no-net "$metainfo" >"$root/appstream.log" 2>&1 \
  || { cat "$root/appstream.log" >&2; fail "installed AppStream file $metainfo is invalid"; }
ls /usr/share/icons/hicolor/*/apps/tokdeck.png >/dev/null || fail "no icon in the hicolor theme"
# dpkg's trigger (desktop-file-utils) indexed the entry as the tokdeck:// handler.
grep -q "x-scheme-handler/tokdeck=.*$(basename "$entry")" /usr/share/applications/mimeinfo.cache \
  || fail "the desktop database does not list $(basename "$entry") for tokdeck://"
handler=$(xdg-mime query default x-scheme-handler/tokdeck)
[ "$handler" = "$(basename "$entry")" ] || fail "xdg-mime sees '$handler' as the tokdeck:// handler"

# --- 2. start from the desktop entry -----------------------------------------------------------
exec_line=$(sed -n 's/^Exec=//p' "$entry" | head -n1)
# xdg-open's generic mode appends the URL to an Exec line without a field code, but GNOME, KDE and
# the portals pass it only where %u / %U says: without one, links opened there are dropped.
grep -Eq '%[uU]' <<<"$exec_line" || fail "the Exec line '$exec_line' takes no URL (%u)"
# Drop the field codes (%u, %f, …): a launcher passes nothing when no URL or file is opened.
read -r -a argv <<<"$(sed -e 's/%[a-zA-Z]//g' <<<"$exec_line")"
step "starting '${argv[*]}' (the Exec line of $entry: $exec_line)"
[ "$(command -v "${argv[0]}")" = /usr/bin/tokdeck ] || fail "Exec '${argv[0]}' is not /usr/bin/tokdeck"
"${argv[@]}" >"$root/app.out" 2>&1 &
app_pid=$!

# The single-instance service is named after the app's identifier, which is the AppStream id.
bus_name="$(basename "$metainfo" .metainfo.xml).SingleInstance"
owner_pid() {
  dbus-send --session --print-reply=literal --dest=org.freedesktop.DBus /org/freedesktop/DBus \
    org.freedesktop.DBus.GetConnectionUnixProcessID "string:$bus_name" 2>/dev/null | awk '{print $2}'
}
log_text() { find "$XDG_DATA_HOME" "$HOME" -path '*/logs/*' -type f -exec cat {} + 2>/dev/null || true; }
app_is_up() {
  kill -0 "$app_pid" 2>/dev/null || { cat "$root/app.out" >&2; fail "the app exited at start"; }
  # It owns its single-instance service (so a second launch forwards to it) and logs.
  [ "$(owner_pid)" = "$app_pid" ] && log_text | grep 'Tokdeck starting' >/dev/null
}
wait_until "the app to own $bus_name and start logging" app_is_up

# --- 3. a tokdeck:// link through xdg-open -----------------------------------------------------
running() { # PIDs of processes running the installed binary
  for p in /proc/[0-9]*; do
    [ "$(readlink "$p/exe" 2>/dev/null)" = /usr/bin/tokdeck ] && echo "${p#/proc/}"
  done
  return 0
}
step "opening tokdeck://focus with xdg-open"
xdg-open 'tokdeck://focus' >"$root/xdg-open.log" 2>&1 || { cat "$root/xdg-open.log" >&2; fail "xdg-open"; }
link_handled() { log_text | grep 'deep link handled' | grep 'tokdeck://focus' >/dev/null; }
wait_until "the running instance to log the link" link_handled
forwarded() { log_text | grep 'second launch forwarded to this instance' >/dev/null; }
wait_until "the running instance to log the second launch it was forwarded" forwarded
log_text | grep -E 'second launch forwarded|deep link handled' | sed 's/^/install-test:   app log: /'
only_first() { [ "$(running)" = "$app_pid" ]; }
wait_until "the forwarding process to exit (one instance left)" only_first
kill -0 "$app_pid" || fail "the running instance went away"
demo_mode() { log_text | grep 'simulator ready' >/dev/null; }
wait_until "the built-in simulator (demo mode) in the app's log" demo_mode

kill "$app_pid"
wait "$app_pid" 2>/dev/null || true
app_pid=""

# --- 4. remove ---------------------------------------------------------------------------------
step "removing $package"
dpkg -r "$package" >"$root/dpkg-remove.log" 2>&1 || { cat "$root/dpkg-remove.log" >&2; fail "dpkg -r"; }
installed=""
left=()
for f in "${files[@]}"; do [ -e "$f" ] && left+=("$f"); done
[ "${#left[@]}" -eq 0 ] || fail "left behind after dpkg -r: ${left[*]}"
[ ! -e /usr/bin/tokdeck ] || fail "/usr/bin/tokdeck still there"
[ ! -e "$entry" ] || fail "$entry still there"
status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
case "$status" in
  "" | *not-installed) ;;
  *) fail "dpkg still records $package as '$status' (conffiles left?)" ;;
esac
if grep -q 'x-scheme-handler/tokdeck=' /usr/share/applications/mimeinfo.cache 2>/dev/null; then
  fail "the desktop database still lists a tokdeck:// handler"
fi

took=$(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
echo "install-test: passed in ${took}s (installed, started from the desktop entry, tokdeck:// forwarded to the running instance through xdg-open, removed without leftovers)"
