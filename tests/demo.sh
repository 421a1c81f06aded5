#!/bin/sh
# SPDX-License-Identifier: MIT
# Shows grace as PID 1 of a fresh PID namespace stopping a process tree.
#
# Usage: sh tests/demo.sh GRACE HELPERS   (as root; `make demo` runs it)
#
# The tree: main (grace's child, 0.2 s SIGTERM handler), and two children of
# main: worker (1.5 s handler) and escaped, which moved into its own session
# (1 s handler).  Once all are ready the demo sends SIGTERM to grace from the
# host and prints, as they happen, grace's -v lines and the events the
# helpers log: every process gets SIGTERM and finishes its handler, and
# grace exits last.
set -eu

grace=${1:?usage: demo.sh GRACE HELPERS}
helpers=${2:?usage: demo.sh GRACE HELPERS}

if [ "$(id -u)" -ne 0 ]; then
	echo "demo: needs root, to create a PID namespace" >&2
	exit 1
fi

dir=$(mktemp -d)
ns=""
follower=""
cleanup() {
	[ -n "$ns" ] && kill -KILL "$ns" 2>/dev/null
	[ -n "$follower" ] && kill "$follower" 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT INT TERM

log=$dir/events
: >"$log"
export EVENT_LOG="$log"

# Prints each line appended to the log with the time since the start; the
# helpers' own monotonic stamps ("t=...") are left out.
start=$(date +%s.%N)
follow() {
	tail -n +1 -s 0.1 --pid="$1" -f "$log" | while IFS= read -r line; do
		now=$(date +%s.%N)
		elapsed=$(awk -v a="$now" -v b="$start" 'BEGIN { print a - b }')
		printf '%6.3fs  %s\n' "$elapsed" "${line% t=*}"
	done
}

echo "demo: grace -v as PID 1; its stderr and the helpers' events, in order"
echo
# grace's stderr goes to the event log too: O_APPEND, one write per line.
unshare --pid --fork --kill-child --mount-proc setsid \
	"$grace" -v -- "$helpers/actor" main --term-ms 200 \
	[ worker --term-ms 1500 ] \
	[ escaped --setsid --term-ms 1000 ] \
	2>>"$log" &
ns=$!
follow "$ns" &
follower=$!

# Waits (5 s at most) until the three actors are ready.
tries=0
until [ "$(grep -c ' ready' "$log")" -ge 3 ]; do
	tries=$((tries + 1))
	if [ "$tries" -gt 100 ]; then
		echo "demo: the actors did not start" >&2
		exit 1
	fi
	sleep 0.05
done

pid1=$(cat "/proc/$ns/task/$ns/children")
pid1=${pid1%% *}
echo "demo: all ready; kill -TERM $pid1 (PID 1 of the namespace, seen from the host)" >>"$log"
kill -TERM "$pid1"

code=0
wait "$ns" || code=$?
ns=""
wait "$follower" || true
follower=""
echo
echo "demo: grace exited with $code (128 + 15: main died of its SIGTERM)"
