#!/usr/bin/env bash
# Builds the workstation package (.deb) and prints its path on the last line of stdout.
#   bash packaging/deb.sh                      # release build (≈25 min on 2 cores), then the .deb
#   bash packaging/deb.sh --profile dev --no-build   # package the debug binary already built (CI)
#   bash packaging/deb.sh --deb-version 0.1.0-2       # override the package version (upgrade tests)
#   bash packaging/deb.sh --out DIR                    # where the .deb goes (default target/debian)
# Uses cargo-deb (a build tool, installed into ~/.cargo/bin if missing; never a dependency of the
# program). Before packaging it writes the generated files the package lists in Cargo.toml
# ([package.metadata.deb]) to target/deb-files/: man pages and bash/zsh/fish completions made
# by the binary itself from its clap definitions (hidden `onemap package-files`), and the
# third-party notices (crates with versions and licences from `cargo tree`, the bundled font,
# the map data attributions).
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO_DEB_VERSION=3.8.0   # pinned: cargo-deb's options and asset rules change between versions
profile=release build=1 deb_version="" out=target/debian
while [ $# -gt 0 ]; do
  case "$1" in
    --profile) profile="$2"; shift 2 ;;
    --no-build) build=0; shift ;;
    --deb-version) deb_version="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    *) echo "deb.sh: unknown option $1 (see the header of $0)" >&2; exit 2 ;;
  esac
done
case "$profile" in dev|debug) dir=debug ;; *) dir="$profile" ;; esac
bin="target/$dir/onemap"

if [ "$(cargo deb --version 2>/dev/null || true)" != "cargo-deb $CARGO_DEB_VERSION" ]; then
  echo "installing cargo-deb $CARGO_DEB_VERSION (build tool, ~2 min once)" >&2
  cargo install --locked --quiet "cargo-deb@$CARGO_DEB_VERSION" >&2
fi
if [ "$build" = 1 ]; then
  cargo build --locked --profile "$profile" --bin onemap >&2
fi
[ -x "$bin" ] || { echo "deb.sh: $bin is missing; build it or drop --no-build" >&2; exit 1; }

gen=target/deb-files
rm -rf "$gen" && mkdir -p "$gen/man"
"$bin" package-files --out "$gen" >/dev/null
mv "$gen"/*.1 "$gen/man/"
gzip -9n "$gen"/man/*.1   # Debian policy: man pages compressed, no timestamp in the gzip header

# Third-party notices: what is compiled into the binary for this platform (normal + build
# dependencies, no dev-dependencies), then the font and the map data.
notices="$gen/THIRD-PARTY-NOTICES.txt"
{
  echo "OneMap $("$bin" --version | cut -d' ' -f2-) — third-party notices / 第三方声明"
  echo
  echo "== Rust crates compiled into /usr/bin/onemap (name version: licence — source) =="
  cargo tree --locked --offline --edges normal,build --prefix none \
      --format '{p}: {l} — {r}' 2>/dev/null \
    | sed -e 's/ (\*)$//' -e 's/ (proc-macro)//' -e 's/ (\/[^)]*)//' | grep -v '^onemap v' | sort -u
  echo
  echo "== Font embedded in the program =="
  echo "SIL Open Font License 1.1; copyright lines and full text in /usr/share/doc/onemap/fonts/OFL.txt:"
  head -4 assets/fonts/OFL.txt
  echo
  echo "== Map data in /usr/share/onemap/maps/ (each pack's README.md names sources and gaps) =="
  for m in maps/*/manifest.json maps/*/*/manifest.json; do
    [ -f "$m" ] || continue
    pack=$(dirname "$m")
    echo "-- ${pack#maps/}"
    "$bin" info --pack "$pack" | sed -n '/^attribution:/,$p' | tail -n +2
  done
  echo
  echo "Data marked © OpenStreetMap contributors is available under the Open Database License 1.0"
  echo "(ODbL, https://opendatacommons.org/licenses/odbl/1-0/); see https://www.openstreetmap.org/copyright."
} >"$notices"
grep -q '^clap ' "$notices" || { echo "deb.sh: no crates in the notices (cargo tree failed?)" >&2; exit 1; }

args=(--no-build --locked --output "$out")
# A test package (dev profile) needs no small download: fast compression saves CI time.
# cargo-deb warns that the dev profile is unsupported for releases; that is the point here.
[ "$profile" = release ] || args+=(--profile "$profile" --fast)
[ -z "$deb_version" ] || args+=(--deb-version "$deb_version")
mkdir -p "$out"
cargo deb "${args[@]}" | tail -1
