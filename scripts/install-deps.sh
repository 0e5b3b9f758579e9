#!/usr/bin/env bash
# Installs what Mingle needs on a fresh Debian machine. Safe to re-run: it installs only
# what is missing. Usage: scripts/install-deps.sh [run|test|bench]
set -euo pipefail
mode=${1:-run}

need_apt=()
want() { dpkg -s "$1" >/dev/null 2>&1 || need_apt+=("$1"); }
want libgd-dev
want libcurl4-openssl-dev
want pkg-config
want postgresql-15
want postgresql-contrib
want ca-certificates
want janus
# uploaded videos: probed, remuxed or transcoded (Sources/VideoProcessing); the tests make their inputs with it
want ffmpeg
if [ "$mode" = bench ]; then
  want wrk
fi
if [ "$mode" = test ]; then
  want chromium
  want iproute2
  want chromium-driver
  want fonts-dejavu-core
  # meetings' reactions are emoji: pages and screenshots show them, not empty boxes
  want fonts-noto-color-emoji
  # the pages' pure logic (Public/js/watch-sync.js …) is tested with Node's own runner
  want nodejs
fi
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "installing Debian packages: ${need_apt[*]}"
  sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd=sudo
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${need_apt[@]}"
fi

if [ "$mode" = test ]; then
  need_pip=()
  python3 -c 'import selenium' 2>/dev/null || need_pip+=(selenium)
  python3 -c 'import aiosmtpd' 2>/dev/null || need_pip+=(aiosmtpd)
  python3 -c 'import pytest' 2>/dev/null || need_pip+=(pytest)
  python3 -c 'import icalendar' 2>/dev/null || need_pip+=(icalendar)
  python3 -c 'import axe_core_python' 2>/dev/null || need_pip+=(axe-core-python)
  if [ ${#need_pip[@]} -gt 0 ]; then
    echo "installing Python packages: ${need_pip[*]}"
    python3 -m pip install -q "${need_pip[@]}"
  fi
fi
command -v swift >/dev/null || { echo "Swift 6.3 is required on PATH (swift not found)" >&2; exit 1; }
