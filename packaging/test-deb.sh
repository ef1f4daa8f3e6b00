#!/usr/bin/env bash
# Tests the workstation package as a user gets it (CI runs this after the test step):
#   bash packaging/test-deb.sh            # packages the debug binary already built (no compile)
#   bash packaging/test-deb.sh FILE.deb   # tests a given package instead (e.g. a release build)
# 1. metadata (package, version, Depends with the hand-listed window libraries), the file list
#    (binary, desktop entry, icons, man pages, completions, every file of maps/, licences) and
#    desktop-file-validate;
# 2. `dpkg -x` into a temporary root, then the installed binary from an unrelated directory with
#    a fresh HOME: `onemap --version`, `onemap info --json` and the pack lookup order (user dir,
#    $ONEMAP_PACK, --pack, the installed pack), a database from a newer OneMap refused, the
#    installed tree unchanged afterwards, and the console window under Xvfb (packaging/smoke.sh);
# 3. as root on a machine without onemap installed: dpkg -i → dpkg -i of a newer version →
#    dpkg -r, checking that the user's database and settings survive each step.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
start=$(date +%s)
step() { echo "--- $* ($(( $(date +%s) - start )) s)"; }
fail() { echo "test-deb: FAIL: $*" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

app_id=cn.gov.xsbn.OneMap
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)

step "build the .deb from the debug binary"
if [ $# -ge 1 ]; then
  deb=$1
else
  [ -x target/debug/onemap ] || cargo build --locked --bin onemap
  deb=$(bash packaging/deb.sh --profile dev --no-build --out "$tmp/deb1" | tail -1)
fi
[ -f "$deb" ] || fail "no package at '$deb'"
echo "$deb ($(du -h "$deb" | cut -f1))"

step "metadata"
field() { dpkg-deb -f "$deb" "$1"; }
[ "$(field Package)" = onemap ] || fail "Package is '$(field Package)'"
[ "$(field Architecture)" = amd64 ] || [ "$(field Architecture)" = "$(dpkg --print-architecture)" ] \
  || fail "Architecture is '$(field Architecture)'"
case "$(field Version)" in "$version"-*) ;; *) fail "Version '$(field Version)' is not $version-N" ;; esac
depends=$(field Depends)
for lib in libc6 libgl1 libegl1 libgl1-mesa-dri libegl-mesa0 libx11-6 libx11-xcb1 libxcursor1 \
           libxrandr2 libxi6 libxkbcommon0 libxkbcommon-x11-0 libwayland-client0 \
           libwayland-cursor0 libwayland-egl1; do
  grep -Eq "(^|, )$lib( |,|$)" <<<"$depends" || fail "Depends lacks $lib: $depends"
done
echo "onemap $(field Version), Depends: $depends"

step "file list"
dpkg-deb -c "$deb" | awk '{print $NF}' | sed 's#^\./#/#' >"$tmp/files"
for f in /usr/bin/onemap \
         /usr/share/applications/$app_id.desktop /usr/share/metainfo/$app_id.metainfo.xml \
         /usr/share/icons/hicolor/scalable/apps/$app_id.svg \
         /usr/share/icons/hicolor/48x48/apps/$app_id.png \
         /usr/share/icons/hicolor/128x128/apps/$app_id.png \
         /usr/share/icons/hicolor/256x256/apps/$app_id.png \
         /usr/share/man/man1/onemap.1.gz /usr/share/man/man1/onemap-route.1.gz \
         /usr/share/bash-completion/completions/onemap /usr/share/zsh/vendor-completions/_onemap \
         /usr/share/fish/vendor_completions.d/onemap.fish \
         /usr/share/doc/onemap/copyright /usr/share/doc/onemap/THIRD-PARTY-NOTICES.txt \
         /usr/share/doc/onemap/fonts/OFL.txt; do
  grep -qxF "$f" "$tmp/files" || fail "package lacks $f"
done
# Every file of maps/ ships (whatever the packs hold today), and nothing else lands in maps/.
(cd maps && find . -type f | sed 's#^\.#/usr/share/onemap/maps#' | sort) >"$tmp/maps-want"
grep '^/usr/share/onemap/maps/.*[^/]$' "$tmp/files" | sort >"$tmp/maps-got"
diff "$tmp/maps-want" "$tmp/maps-got" >&2 || fail "maps/ and /usr/share/onemap/maps differ (above)"
echo "$(wc -l <"$tmp/files") entries, $(wc -l <"$tmp/maps-got") pack files"

step "dpkg -x and the desktop entry"
root=$tmp/root
dpkg -x "$deb" "$root"
desktop=$root/usr/share/applications/$app_id.desktop
desktop-file-validate "$desktop" || fail "desktop-file-validate"
for kv in "Exec=onemap" "Icon=$app_id" "StartupWMClass=$app_id" "Name[zh_CN]=应急管理“一张图”"; do
  grep -qxF "$kv" "$desktop" || fail "desktop entry lacks $kv"
done
grep -q "^Comment\[zh_CN\]=" "$desktop" && grep -q "^Categories=.*Maps" "$desktop" \
  || fail "desktop entry lacks Comment[zh_CN] or Categories"
grep -q "applications/$app_id.desktop\|<id>$app_id</id>" "$root/usr/share/metainfo/$app_id.metainfo.xml" \
  || fail "metainfo id is not $app_id"
zcat "$root/usr/share/man/man1/onemap.1.gz" | grep -q "ONEMAP_PACK" || fail "man page lacks ENVIRONMENT"
grep -q "isochrone" "$root/usr/share/bash-completion/completions/onemap" || fail "bash completion"
notices=$root/usr/share/doc/onemap/THIRD-PARTY-NOTICES.txt
for n in "^eframe v" "^rusqlite v" "SIL Open Font License" "ODbL" "OpenStreetMap contributors"; do
  grep -q "$n" "$notices" || fail "notices lack $n"
done
[ "$(stat -c %a "$root/usr/bin/onemap")" = 755 ] || fail "binary mode"

step "installed binary from an unrelated directory"
onemap=$root/usr/bin/onemap
home=$tmp/home && mkdir -p "$home" "$tmp/elsewhere"
run() { (cd "$tmp/elsewhere" && env -u ONEMAP_PACK -u XDG_DATA_HOME -u XDG_CACHE_HOME HOME="$home" "$@"); }
(cd "$root" && find . -type f -exec sha256sum {} + | sort -k2) >"$tmp/tree-before"
run "$onemap" --version | tee "$tmp/version"
grep -q "^onemap $version (commit [0-9a-z]*, built [0-9-]*)$" "$tmp/version" || fail "--version format"
if commit=$(git rev-parse --short=12 HEAD 2>/dev/null); then
  grep -qF "commit $commit" "$tmp/version" || fail "--version does not name HEAD ($commit)"
fi
json() { grep -o "\"$1\": *\"[^\"]*\"" | head -1 | sed 's/.*: *"\(.*\)"/\1/'; }   # first string field
info_says() {   # expected source, expected folder, expected pack name; then extra arguments
  local want_src=$1 want_dir=$2 want_name=$3; shift 3
  run "$@" "$onemap" info --json >"$tmp/info.json" 2>&1 || { cat "$tmp/info.json"; fail "info --json ($want_src)"; }
  local name src dir
  name=$(json name <"$tmp/info.json"); src=$(json source <"$tmp/info.json"); dir=$(sed -n 's/.*"dir": *"\(.*\)".*/\1/p' "$tmp/info.json")
  [ "$src" = "$want_src" ] && [ "$dir" = "$want_dir" ] && [ "$name" = "$want_name" ] \
    || fail "pack: want $want_src $want_dir ($want_name), got $src $dir ($name)"
  echo "pack found via $src: $dir ($name)"
}
share=$(cd "$root/usr/share/onemap/maps" && pwd -P)
info_says system "$share/xishuangbanna-osm" xishuangbanna-osm
mkdir -p "$home/.local/share/onemap/maps"
cp -r "$share/samples/andorra" "$home/.local/share/onemap/maps/xishuangbanna-osm"   # a user's own pack
info_says user "$home/.local/share/onemap/maps/xishuangbanna-osm" andorra
info_says env "$share/samples/liechtenstein" liechtenstein env ONEMAP_PACK="$share/samples/liechtenstein"
rm -rf "$home/.local/share/onemap/maps"
run "$onemap" info --pack "$share/samples/andorra" --json | grep -q '"source": "flag"' || fail "--pack"
run env ONEMAP_PACK=/nonexistent "$onemap" info >"$tmp/err" 2>&1 && fail "a wrong ONEMAP_PACK was ignored"
grep -q "ONEMAP_PACK" "$tmp/err" || fail "the error does not name ONEMAP_PACK: $(cat "$tmp/err")"
# Work that writes (a database with the pack's demo data, a drill report) goes to the user's
# directories; the installed tree must be byte-identical afterwards.
run "$onemap" demo load >/dev/null
[ -f "$home/.local/share/onemap/onemap.db" ] || fail "no database in the user's data directory"
run "$onemap" situation | grep -q '"units"' || fail "situation"
cp "$home/.local/share/onemap/onemap.db" "$tmp/newer.db"
command -v sqlite3 >/dev/null || fail "sqlite3 missing (bash packaging/deps.sh ci)"
sqlite3 "$tmp/newer.db" "PRAGMA user_version = 999;"
run "$onemap" events --db "$tmp/newer.db" >"$tmp/err" 2>&1 && fail "a database from a newer OneMap was opened"
grep -q "newer than this program" "$tmp/err" || fail "newer database: $(cat "$tmp/err")"
echo "newer database refused: $(cat "$tmp/err")"

step "console window under Xvfb (installed binary)"
ONEMAP_BIN=$onemap HOME="$home" bash packaging/smoke.sh

(cd "$root" && find . -type f -exec sha256sum {} + | sort -k2) >"$tmp/tree-after"
diff "$tmp/tree-before" "$tmp/tree-after" >&2 || fail "the installed tree was written to (above)"

step "dpkg -i → upgrade → dpkg -r keeps the user's data"
if [ "$(id -u)" -ne 0 ]; then
  echo "skipped: needs root (CI runs as root)"
elif dpkg-query -W -f='${Status}' onemap 2>/dev/null | grep -q "install ok installed"; then
  echo "skipped: onemap is installed on this machine; not touching it"
else
  deb2=$(bash packaging/deb.sh --profile dev --no-build --deb-version "$version-99" --out "$tmp/deb2" | tail -1)
  [ -f "$deb2" ] || fail "no second package"
  user=$tmp/user && mkdir -p "$user/.local/share/onemap"
  as_user() { (cd "$tmp/elsewhere" && env -u ONEMAP_PACK -u XDG_DATA_HOME HOME="$user" "$@"); }
  echo "(settings)" >"$user/.local/share/onemap/app.ron"
  dpkg -i "$deb" >/dev/null
  as_user /usr/bin/onemap demo load >/dev/null
  as_user /usr/bin/onemap events | sha256sum >"$tmp/events-before"
  sha256sum "$user/.local/share/onemap/app.ron" >"$tmp/settings"
  as_user /usr/bin/onemap info --json | grep -q '"dir": "/usr/share/onemap/maps/xishuangbanna-osm"' \
    || fail "installed binary does not use /usr/share/onemap/maps/xishuangbanna-osm"
  dpkg -i "$deb2" >/dev/null
  [ "$(dpkg-query -W -f='${Version}' onemap)" = "$version-99" ] || fail "upgrade did not happen"
  as_user /usr/bin/onemap events | sha256sum | diff - "$tmp/events-before" || fail "events changed by the upgrade"
  dpkg -r onemap >/dev/null
  [ ! -e /usr/bin/onemap ] && [ ! -e /usr/share/onemap ] && [ ! -e "/usr/share/applications/$app_id.desktop" ] \
    || fail "dpkg -r left files behind"
  # The package is gone: read the kept database with the unpacked copy.
  as_user "$onemap" events | sha256sum | diff - "$tmp/events-before" || fail "database changed by removal"
  sha256sum -c --quiet "$tmp/settings" || fail "settings changed"
  echo "database ($(as_user "$onemap" events | wc -l) events) and settings kept through install, upgrade, remove"
fi
step "package tests passed"
