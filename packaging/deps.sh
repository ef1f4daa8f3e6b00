#!/usr/bin/env bash
# Installs what a fresh Debian/Ubuntu machine lacks to build and run OneMap.
#   bash packaging/deps.sh runtime   # window libraries (X11/Wayland, OpenGL via Mesa)
#   bash packaging/deps.sh ci        # runtime + Xvfb for the headless window smoke test, and the
#                                    # .deb tests (dpkg-dev for cargo-deb's dependency scan,
#                                    # desktop-file-validate, xwininfo, sqlite3), and the
#                                    # PostgreSQL server the pg_* tests start privately
#                                    # (packaging/pg-test-server.sh)
# Building needs only a Rust toolchain (rustc >= 1.95): no -dev packages, no OpenSSL.
set -euo pipefail

# Keep in step with Depends in Cargo.toml ([package.metadata.deb]).
want=(libgl1 libegl1 libgl1-mesa-dri libegl-mesa0 libxkbcommon0 libxkbcommon-x11-0 libxcursor1
      libxrandr2 libxi6 libx11-6 libx11-xcb1 libwayland-client0 libwayland-cursor0 libwayland-egl1
      ca-certificates)
if [ "${1:-runtime}" = ci ]; then
  want+=(xvfb xauth dpkg-dev binutils desktop-file-utils x11-utils sqlite3 xdotool xclip postgresql openssl)
fi

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}" >&2
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if ! command -v cargo >/dev/null 2>&1; then
  echo "cargo not found: install Rust 1.95 or newer (https://rustup.rs: curl -sSf https://sh.rustup.rs | sh)" >&2
  exit 1
fi
