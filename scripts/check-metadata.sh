#!/usr/bin/env bash
# Checks the Linux package metadata without building a package (part of `make lint`):
# - the AppStream file validates offline (no network: CI machines may have none),
# - its id, desktop-id, licence and newest release match tauri.conf.json / Cargo.toml,
# - the desktop entry template, rendered the way Tauri's bundler renders it, passes
#   desktop-file-validate.
# The built packages are checked again by scripts/check-bundle.sh (`make bundle`, `make install-test`).
set -euo pipefail
cd "$(dirname "$0")/.."

metainfo=src-tauri/packaging/app.tokdeck.desktop.metainfo.xml
template=src-tauri/tokdeck.desktop.hbs

appstreamcli validate --no-net "$metainfo"

# tauri.conf.json is the source of truth for the identifier, name, version and licence.
conf() { python3 -c 'import json,sys; c=json.load(open("tauri.conf.json")); print(eval(sys.argv[1]))' "$1"; }
identifier=$(conf 'c["identifier"]')
product=$(conf 'c["productName"]')
version=$(conf 'c["version"]')
license=$(conf 'c["bundle"]["license"]')
binary=$(conf 'c["mainBinaryName"]')

fail() { echo "check-metadata: $*" >&2; exit 1; }
grep -q "<id>${identifier}</id>" "$metainfo" || fail "metainfo id is not ${identifier}"
grep -q "<launchable type=\"desktop-id\">${product}.desktop</launchable>" "$metainfo" \
  || fail "metainfo launchable is not ${product}.desktop (the name Tauri gives the desktop entry)"
grep -q "<project_license>${license}</project_license>" "$metainfo" || fail "metainfo licence is not ${license}"
grep -q "<binary>${binary}</binary>" "$metainfo" || fail "metainfo does not provide the ${binary} binary"
# Software centres show the newest release first: the version being built must have notes.
newest=$(grep -o '<release version="[^"]*"' "$metainfo" | head -n1 | cut -d'"' -f2)
[ "$newest" = "$version" ] || fail "newest release in the metainfo is ${newest:-none}, the app is ${version}: add release notes"
grep -q "\"${metainfo}\"" tauri.conf.json || fail "tauri.conf.json does not install ${metainfo}"
cargo_license=$(sed -n 's/^license = "\(.*\)"/\1/p' Cargo.toml | head -n1)
[ "$cargo_license" = "$license" ] || fail "Cargo.toml licence ${cargo_license} differs from tauri.conf.json ${license}"

# Render the template with the values Tauri's bundler passes (category SocialNetworking becomes
# "Network;"), then validate it as a desktop entry.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
comment=$(conf 'c["bundle"]["shortDescription"]')
sed -e '/{{#if comment}}/d' -e '/{{\/if}}/d' \
  -e "s|{{categories}}|Network;|" -e "s|{{comment}}|${comment}|" \
  -e "s|{{exec}}|${binary}|g" -e "s|{{icon}}|${binary}|" -e "s|{{name}}|${product}|" \
  "$template" >"$tmp/${product}.desktop"
grep -q '{{' "$tmp/${product}.desktop" && fail "unrendered placeholder left in ${template}"
desktop-file-validate "$tmp/${product}.desktop"
echo "check-metadata: ok (AppStream ${metainfo} valid offline; desktop entry template valid)"
