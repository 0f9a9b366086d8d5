#!/usr/bin/env bash
# Installs everything the test suite needs on a fresh Debian machine (run as root):
# the DICOM peers from Debian packages, Xvfb for screenshots, and the project with its
# test extra in ./.venv.
set -euo pipefail
cd "$(dirname "$0")/.."

if command -v apt-get >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  pkgs=(dcmtk orthanc orthanc-dicomweb dicom3tools xvfb libxcb-icccm4 libxcb-keysyms1
        libxcb-xinerama0 libxcb-cursor0 libxkbcommon-x11-0 libegl1 libgl1
        fonts-wqy-zenhei   # CJK incl. Hangul: Korean and Chinese patient names on screen
        fonts-dejavu-core)  # film annotations (imaging/film_render.py; else Pillow's own font)
  missing=()
  for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    apt-get update -qq
    # Debian's service scripts must not start Orthanc on port 4242/8042 behind our back.
    [ -e /usr/sbin/policy-rc.d ] || { printf "#!/bin/sh\nexit 101\n" > /usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; }
    apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
fi

bash installer/install.sh test
