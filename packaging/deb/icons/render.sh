#!/usr/bin/env bash
# Renders the application icon's PNG sizes (48, 128, 256 px) from the SVG beside this script.
# The PNGs are committed so building the .deb needs no converter; re-run after editing the SVG:
#   bash packaging/deb/icons/render.sh        (needs rsvg-convert: Debian package librsvg2-bin)
set -euo pipefail
cd "$(dirname "$0")"
for s in 48 128 256; do
  rsvg-convert -w "$s" -h "$s" cn.gov.xsbn.OneMap.svg -o "cn.gov.xsbn.OneMap-$s.png"
done
