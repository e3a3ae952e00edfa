#!/usr/bin/env bash
# Checks built packages (.deb and/or .rpm) before anyone installs them:
# - the desktop entry passes the URL (%u) and claims the tokdeck scheme, or tokdeck:// links from
#   the browser would be dropped (Tauri's default template lacks %u), and it passes
#   desktop-file-validate;
# - the AppStream file is installed under /usr/share/metainfo/ and validates (offline);
# - a .deb names a maintainer with an e-mail address and a homepage; an .rpm a URL and a licence;
# - the .deb recommends a colour emoji font (captions render as TikTok shows them).
#   scripts/check-bundle.sh target/release/bundle/deb/Tokdeck_*.deb target/release/bundle/rpm/Tokdeck-*.rpm
set -euo pipefail
[ "$#" -gt 0 ] || { echo "usage: check-bundle.sh <package.deb|package.rpm>..." >&2; exit 2; }

fail() { echo "check-bundle: $*" >&2; exit 1; }

check_tree() { # extracted package root, package file
  local tmp=$1 pkg=$2 entry metainfo
  entry=$(find "$tmp/usr/share/applications" -name '*.desktop' | head -n1)
  [ -n "$entry" ] || fail "no desktop entry in $pkg"
  grep -q '^Exec=tokdeck %u$' "$entry" || fail "Exec lacks %u in $entry ($pkg)"
  grep -q '^MimeType=x-scheme-handler/tokdeck;' "$entry" || fail "tokdeck scheme not registered ($pkg)"
  desktop-file-validate "$entry" || fail "desktop entry of $pkg is invalid"
  [ -x "$tmp/usr/bin/tokdeck" ] || fail "no tokdeck binary in $pkg"
  metainfo=$(find "$tmp/usr/share/metainfo" -name '*.metainfo.xml' 2>/dev/null | head -n1)
  [ -n "$metainfo" ] || fail "no AppStream file under /usr/share/metainfo in $pkg"
  grep -q "<launchable type=\"desktop-id\">$(basename "$entry")</launchable>" "$metainfo" \
    || fail "the AppStream launchable is not the packaged entry $(basename "$entry") ($pkg)"
  appstreamcli validate --no-net "$metainfo" >/dev/null || {
    appstreamcli validate --no-net "$metainfo" >&2 || true
    fail "AppStream file of $pkg is invalid"
  }
}

for pkg in "$@"; do
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  case "$pkg" in
    *.deb)
      dpkg-deb -x "$pkg" "$tmp"
      check_tree "$tmp" "$pkg"
      dpkg-deb -f "$pkg" Maintainer | grep -Eq '^[^<]+ <[^@>]+@[^>]+>$' \
        || fail "Maintainer of $pkg is not 'Name <e-mail>': $(dpkg-deb -f "$pkg" Maintainer)"
      dpkg-deb -f "$pkg" Homepage | grep -q '^https://' || fail "no https Homepage in $pkg"
      # Captions with emoji must render as TikTok shows them.
      dpkg-deb -f "$pkg" Recommends | grep -q 'fonts-noto-color-emoji' || fail "no emoji font recommended by $pkg"
      ;;
    *.rpm)
      rpm2archive - <"$pkg" | tar -xz -C "$tmp" || fail "cannot unpack $pkg"
      check_tree "$tmp" "$pkg"
      rpm -qp --qf '%{URL}' "$pkg" 2>/dev/null | grep -q '^https://' || fail "no https URL in $pkg"
      [ -n "$(rpm -qp --qf '%{LICENSE}' "$pkg" 2>/dev/null)" ] || fail "no licence in $pkg"
      # Tauri's rpm bundler writes no Packager/Vendor field; the URL and licence are what it sets.
      ;;
    *) fail "not a .deb or .rpm: $pkg" ;;
  esac
  rm -rf "$tmp"
  trap - EXIT
  echo "check-bundle: $pkg ok (desktop entry valid, passes %u, registers tokdeck://; AppStream file valid; homepage set, and a maintainer in a .deb / a licence in an .rpm)"
done
