#!/usr/bin/env bash
# Installs everything Tokdeck needs to build, run and test on Debian/Ubuntu, skipping what is
# already there. Safe to run again. Uses sudo when not root.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

# Build deps of Tauri 2 on Linux, plus what the tests use: a virtual X server, a D-Bus session,
# a real keyring, WebKit's WebDriver, ffmpeg for test videos, sqlite3 as a reference, GStreamer
# so the webview can play previews, python3-dbusmock for fake tray/notification daemons (and
# gdbus to click their notifications), a colour emoji font so captions render as TikTok shows
# them, rpm (rpm2archive) to check the .rpm, and appstream (appstreamcli) to validate the
# AppStream metadata offline.
PACKAGES=(
  build-essential curl file pkg-config libssl-dev
  libwebkit2gtk-4.1-dev libgtk-3-dev libsoup-3.0-dev libayatana-appindicator3-dev librsvg2-dev libxdo-dev
  webkit2gtk-driver xvfb xauth dbus dbus-x11 gnome-keyring libsecret-tools xdotool
  desktop-file-utils xdg-utils ffmpeg sqlite3 python3-dbusmock python3-gi python3-xlib
  gstreamer1.0-plugins-good gstreamer1.0-plugins-bad gstreamer1.0-libav
  rpm rpm2cpio fonts-noto-color-emoji appstream libglib2.0-bin
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing system packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if ! command -v cargo >/dev/null 2>&1; then
  echo "setup: Rust is missing. Install it with rustup (stable toolchain, rustfmt and clippy), then run this again." >&2
  exit 1
fi
for c in rustfmt clippy; do
  if ! cargo "${c/rustfmt/fmt}" --version >/dev/null 2>&1; then
    rustup component add "$c" || { echo "setup: missing cargo component $c" >&2; exit 1; }
  fi
done

TAURI_DRIVER_VERSION=2.1.0
if ! tauri-driver --help >/dev/null 2>&1 || ! cargo install --list | grep -q "^tauri-driver v${TAURI_DRIVER_VERSION}:"; then
  echo "setup: installing tauri-driver ${TAURI_DRIVER_VERSION}"
  cargo install tauri-driver --version "${TAURI_DRIVER_VERSION}" --locked
fi

node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
node_minor=$(node -p 'process.versions.node.split(".")[1]' 2>/dev/null || echo 0)
if [ "$node_major" -lt 20 ] || { [ "$node_major" -eq 20 ] && [ "$node_minor" -lt 19 ]; }; then
  echo "setup: Node.js >= 20.19 is needed (found $(node --version 2>/dev/null || echo none))." >&2
  exit 1
fi

# npm ci only when the lock file changed since the last install.
stamp=ui/node_modules/.tokdeck-lock-stamp
if [ ! -f "$stamp" ] || ! cmp -s ui/package-lock.json "$stamp"; then
  echo "setup: installing UI dependencies (npm ci)"
  (cd ui && npm ci --no-audit --no-fund)
  cp ui/package-lock.json "$stamp"
fi
echo "setup: ready"
