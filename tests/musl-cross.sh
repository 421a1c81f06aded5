#!/bin/sh
# SPDX-License-Identifier: MIT
# Usage: musl-cross.sh ARCH DIR
# Makes DIR a musl sysroot for Debian architecture ARCH (arm64): Debian's
# musl-dev for ARCH unpacked there, with its musl-gcc specs file pointed at
# DIR, for ARCH's gcc cross compiler (gcc-aarch64-linux-gnu) to use with
# -specs, as musl-gcc does on the host.
#
# Debian has no musl cross toolchain package, and installing musl-dev:ARCH
# would add a foreign architecture to dpkg for good.  Instead apt-get
# fetches ARCH's package lists into a private directory (the system's
# sources, signatures and checksums; its own lists and dpkg untouched) and
# downloads the one .deb.  The version is the host's musl-dev's, so that
# every release binary is built against the same musl.
set -eu

[ $# -eq 2 ] || { echo "usage: musl-cross.sh ARCH DIR" >&2; exit 2; }
arch=$1
mkdir -p "$2"
dir=$(cd "$2" && pwd)
[ "$dir" != / ] || { echo "musl-cross: DIR must not be /" >&2; exit 2; }
version=$(dpkg-query -W -f='${Version}' musl-dev) || {
	echo "musl-cross: musl-dev is not installed (make deps)" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/lists/partial" "$work/cache/archives/partial"
set -- -q -o Dir::State::Lists="$work/lists" -o Dir::Cache="$work/cache" \
	-o Dir::State::status=/dev/null -o APT::Architecture="$arch" \
	-o APT::Architectures::="$arch" -o APT::Sandbox::User="$(id -un)"
apt-get "$@" update >/dev/null
(cd "$work" && apt-get "$@" download "musl-dev:$arch=$version" >/dev/null) || {
	echo "musl-cross: no musl-dev:$arch $version (the host's musl-dev's" \
	     "version) in the apt sources: is the Debian mirror reachable" \
	     "(apt-get's messages above), or is the host's musl-dev old?" >&2
	exit 1
}

rm -rf "${dir:?}/usr"
dpkg-deb -x "$work"/musl-dev_*_"$arch".deb "$dir"
specs=$(echo "$dir"/usr/lib/*-linux-musl/musl-gcc.specs)
[ -f "$specs" ] || {
	echo "musl-cross: no specs file in musl-dev:$arch" >&2; exit 1; }
sed "s|/usr/|$dir/usr/|g" "$specs" >"$specs.tmp"
mv "$specs.tmp" "$specs"
