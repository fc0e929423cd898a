#!/usr/bin/env bash
# Installs the Debian packages the test suite needs (Chromium, CJK fonts, PostgreSQL 15,
# nginx for the proxy-config test, openssl for its throw-away certificate) when missing. Needs root (or passwordless sudo); prints what it does.
set -euo pipefail
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
# fc-list's whole output into a variable first: `fc-list | grep -q` under pipefail fails by
# SIGPIPE when grep stops reading early, and would reinstall the fonts on most runs.
fonts="$(fc-list 2>/dev/null || true)"
case "$fonts" in *"Noto Sans CJK"*|*"Noto Serif CJK"*) ;; *) need+=(fonts-noto-cjk) ;; esac
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql-15)
[ -x /usr/sbin/nginx ] || need+=(nginx)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo -n"; fi
echo "installing system packages: ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
