#!/usr/bin/env bash
# The fonts' Lambda layer: fonts-layer/fonts/… and fonts-layer.zip (fonts/… at its root; Lambda
# mounts a layer at /opt, so the functions find them at /opt/fonts, which is what
# PAPERFLOW_FALLBACK_FONTS says in the templates). Prints the zip's size.
#
# The functions carry no font of their own: DejaVu Sans regular and bold, their primary faces,
# are written by `paperflow fonts export` (the slim faces paperflow embeds, byte for byte; the
# functions refuse any other bytes, Debian's fonts-dejavu-core files included), with DejaVu's
# licence as dejavu.copyright.
#
# The faces come from Debian's packages, downloaded and unpacked without root
# (apt-get download + dpkg-deb -x), so the layer holds exactly the files the tests use:
#   fonts-noto-core       Noto Sans Arabic and Noto Sans Devanagari (regular and bold): shaped
#   fonts-droid-fallback  Droid Sans Fallback: CJK (TrueType outlines, 4 MB for 20,000+ ideographs)
#   fonts-symbola         Symbola: monochrome outline emoji (Noto Color Emoji is CBDT bitmaps,
#                         which a PDF cannot embed as glyphs)
# The files are renamed with a number in front: the renderer tries a folder's fonts in name
# order and parses each only when a character first reaches it, so the small, specific faces
# come before the large CJK one.
#
#   scripts/build-fonts-layer.sh [OUT_DIR]     # default: target/fonts-layer (and .zip)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# target/fonts-layer whatever CARGO_TARGET_DIR says: the templates' layer and the local stack
# name this folder.
out="${1:-$root/target/fonts-layer}"
work="$(mktemp -d)"

trap 'rm -rf "$work"' EXIT

# package | file in the package | name in the layer
faces=(
  "fonts-noto-core|usr/share/fonts/truetype/noto/NotoSansArabic-Regular.ttf|10-NotoSansArabic-Regular.ttf"
  "fonts-noto-core|usr/share/fonts/truetype/noto/NotoSansDevanagari-Regular.ttf|20-NotoSansDevanagari-Regular.ttf"
  "fonts-symbola|usr/share/fonts/truetype/ancient-scripts/Symbola_hint.ttf|30-Symbola.ttf"
  "fonts-droid-fallback|usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf|90-DroidSansFallbackFull.ttf"
)

packages=()
for face in "${faces[@]}"; do
  package="${face%%|*}"
  [[ " ${packages[*]} " == *" $package "* ]] || packages+=("$package")
done

(cd "$work" && apt-get download -o APT::Sandbox::User=root "${packages[@]}" >/dev/null)
for deb in "$work"/*.deb; do
  dpkg-deb -x "$deb" "$work/root"
done

rm -rf "$out"
mkdir -p "$out/fonts"
for face in "${faces[@]}"; do
  IFS='|' read -r package file name <<<"$face"
  test -f "$work/root/$file" || { echo "fonts layer: $package has no $file" >&2; exit 1; }
  cp "$work/root/$file" "$out/fonts/$name"
done
# The licences travel with the fonts (OFL for Noto, Apache 2.0 for Droid, Symbola's own).
for package in "${packages[@]}"; do
  cp "$work/root/usr/share/doc/$package/copyright" "$out/fonts/$package.copyright"
done
# The primary faces. `-p paperflow-cli`, as scripts/demo.sh builds it: the same debug binary.
(cd "$root" && cargo run --quiet -p paperflow-cli -- fonts export "$out/fonts" >/dev/null)

zip="$out.zip"
rm -f "$zip"
(cd "$out" && python3 -c '
import sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED, compresslevel=9) as layer:
    for path in sorted(sys.argv[2:]):
        info = zipfile.ZipInfo(path, date_time=(2026, 1, 1, 0, 0, 0))
        info.external_attr = 0o644 << 16
        with open(path, "rb") as data:
            layer.writestr(info, data.read(), zipfile.ZIP_DEFLATED)
' "$zip" $(cd "$out" && find fonts -type f))

unzipped="$(du -sb "$out/fonts" | cut -f1)"
zipped="$(stat -c %s "$zip")"
awk -v z="$zipped" -v u="$unzipped" -v f="$zip" 'BEGIN {
  printf "fonts layer: %s\n  %d bytes = %.2f MB zipped (%.2f MB unzipped at /opt/fonts)\n", f, z, z / 1e6, u / 1e6
}'
