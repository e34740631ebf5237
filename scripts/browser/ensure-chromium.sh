#!/usr/bin/env bash
# The browser tests drive Debian's chromium package headless. Installs it when missing (CI starts
# from a fresh machine); needs root or passwordless sudo for apt-get.
set -euo pipefail
command -v chromium >/dev/null && exit 0
echo "[browser] chromium not found: installing Debian's chromium package" >&2
if [ "$(id -u)" = "0" ]; then SUDO=""; else SUDO="sudo -n"; fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
command -v chromium >/dev/null
