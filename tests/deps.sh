#!/bin/sh
# SPDX-License-Identifier: MIT
# Installs the Debian packages that building and testing grace need, if any
# is missing; `deps.sh demo`: only those `make demo` needs.  Quiet when
# everything is already there.
set -eu

pkgs="build-essential clang libcmocka-dev musl-tools python3 python3-pytest
      tini dumb-init catatonit util-linux procps file nginx
      runc crun busybox-static supervisor s6
      cppcheck clang-tidy valgrind libclang-rt-14-dev tzdata
      python3-croniter python3-yaml gcc-aarch64-linux-gnu qemu-user-static
      docker.io podman apparmor"
# `make demo` on a bare machine: only what the demo uses (the compiler and
# libc's headers, python3, unshare, nsenter and setsid).
if [ "${1:-}" = demo ]; then
	pkgs="gcc libc6-dev python3 util-linux"
fi
missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing packages:$missing (run as root to install)" >&2
	exit 1
fi
echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing >/dev/null
