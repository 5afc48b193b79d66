#!/usr/bin/env bash
# benchstat.sh BASE: the Go benchmarks of the hot paths (the detector's cost
# per result, the results decoder and validation, the ingest's single pass) run on BASE (a git
# revision, exported to a temporary directory: no worktree, no checkout)
# and on the work tree as it is, uncommitted changes included, one round
# of each in turn; then benchstat (pinned below) prints the comparison.
# `make benchstat BASE=main`.
#
#   BENCH_COUNT  rounds (default 8; benchstat wants >= 6 for its intervals)
#   BENCH_RUN    -bench regexp (default the hot-path benchmarks below)
#   BENCH_PKGS   packages (default ./controller/linestate ./controller/ingest ./probes/result)
#   BENCH_KEEP   a directory to keep the raw base.txt and work.txt in
#
# A benchmark missing on BASE (it was added since) shows only on the work
# tree's side; a package missing on BASE is skipped there, and said so.
set -euo pipefail

BENCHSTAT=golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da

base=${1:-}
if [[ -z $base ]]; then
	echo "usage: scripts/benchstat.sh BASE-REVISION   (make benchstat BASE=main)" >&2
	exit 2
fi
root=$(git rev-parse --show-toplevel)
rev=$(git -C "$root" rev-parse --verify --quiet "$base^{commit}") || {
	echo "benchstat: BASE=$base is not a revision of $root" >&2
	exit 2
}
count=${BENCH_COUNT:-8}
run=${BENCH_RUN:-'^(BenchmarkDetectorPerResult|BenchmarkDecode|BenchmarkValidate|BenchmarkPrepare)$'}
read -r -a pkgs <<<"${BENCH_PKGS:-./controller/linestate ./controller/ingest ./probes/result}"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/tree"
git -C "$root" archive "$rev" | tar -x -C "$tmp/tree"

# build dir side: compile each package's test binary once, into $tmp/side/.
build() {
	local dir=$1 side=$2
	mkdir -p "$tmp/$side"
	for p in "${pkgs[@]}"; do
		if [[ ! -d $dir/$p ]]; then
			echo "benchstat: $p does not exist in $side: skipped there" >&2
			continue
		fi
		(cd "$dir" && go test -c -o "$tmp/$side/$(echo "$p" | tr / _).test" "$p")
	done
}
# round dir side: one run of every benchmark of every package of the side,
# appended to $tmp/side.txt; each binary runs in its package's folder.
round() {
	local dir=$1 side=$2
	for p in "${pkgs[@]}"; do
		local bin=$tmp/$side/$(echo "$p" | tr / _).test
		[[ -x $bin ]] || continue
		(cd "$dir/$p" && "$bin" -test.run '^$' -test.bench "$run" -test.benchmem -test.count 1 -test.timeout 30m) >>"$tmp/$side.txt"
	done
}

short=$(git -C "$root" rev-parse --short "$rev")
echo "benchstat: $base ($short) exported to $tmp/tree, against the work tree; $count rounds of $run," >&2
echo "           base and work alternating round by round, so a change in the machine's load hits both" >&2
: >"$tmp/base.txt"
: >"$tmp/work.txt"
build "$tmp/tree" base
build "$root" work
for ((i = 1; i <= count; i++)); do
	round "$tmp/tree" base
	round "$root" work
done
if [[ -n ${BENCH_KEEP:-} ]]; then cp "$tmp/base.txt" "$tmp/work.txt" "$BENCH_KEEP/"; fi
go run "$BENCHSTAT" "$short=$tmp/base.txt" "work=$tmp/work.txt"
