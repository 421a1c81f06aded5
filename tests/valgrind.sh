#!/bin/sh
# SPDX-License-Identifier: MIT
# Runs grace under valgrind's memcheck, for `make check-valgrind`: the
# scenarios take this script as their grace.  Under another init's name (a
# persona symlink to this script) it runs grace under that name.  Any
# memory error or leak makes grace's exit code 99.
set -eu
here=$(dirname "$(readlink -f "$0")")
grace=${GRACE_BINARY:?GRACE_BINARY names the grace binary to check}
name=$(basename "$0")
case $name in
valgrind.sh | grace) target=$grace ;;
*)
	# A symlink under the persona's name makes grace take that persona.
	mkdir -p "$here/../build/valgrind-personas"
	target=$here/../build/valgrind-personas/$name
	[ -e "$target" ] || ln -sf "$grace" "$target"
	;;
esac
exec valgrind -q --error-exitcode=99 --leak-check=full \
	--errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect \
	"$target" "$@"
