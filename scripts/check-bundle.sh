#!/usr/bin/env bash
# Checks a built .deb: its desktop entry must pass the URL (%u) and claim the tokdeck scheme,
# or tokdeck:// links from the browser would be dropped (Tauri's default template lacks %u).
#   scripts/check-bundle.sh target/release/bundle/deb/Tokdeck_*.deb
set -euo pipefail
deb=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
dpkg-deb -x "$deb" "$tmp"
entry=$(find "$tmp/usr/share/applications" -name '*.desktop' | head -n1)
[ -n "$entry" ] || { echo "check-bundle: no desktop entry in $deb" >&2; exit 1; }
grep -q '^Exec=tokdeck %u$' "$entry" || { echo "check-bundle: Exec lacks %u in $entry" >&2; exit 1; }
grep -q '^MimeType=x-scheme-handler/tokdeck;' "$entry" || { echo "check-bundle: tokdeck scheme not registered" >&2; exit 1; }
[ -x "$tmp/usr/bin/tokdeck" ] || { echo "check-bundle: no tokdeck binary" >&2; exit 1; }
# Captions with emoji must render as TikTok shows them: the package recommends a colour emoji font.
dpkg-deb -f "$deb" Recommends | grep -q 'fonts-noto-color-emoji' || { echo "check-bundle: no emoji font recommended" >&2; exit 1; }
echo "check-bundle: $deb ok (desktop entry passes %u and registers tokdeck://; recommends an emoji font)"
