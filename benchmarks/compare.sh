#!/usr/bin/env bash
# The allocation and end-to-end benchmarks of HEAD beside another commit's, alternating round by round, in the
# same hour on the same machine (see BENCHMARKS.md). Each side is a clean worktree, built before it is measured.
# Usage: benchmarks/compare.sh <control commit> [rounds]
#   ALLOCATION_ARGS='drf cycle:20000x2000' to give allocation.sh other shapes; E2E=0 to leave out e2e-throughput.sh
set -euo pipefail
cd "$(dirname "$0")/.."
control=${1:?usage: benchmarks/compare.sh <control commit> [rounds]}
rounds=${2:-2}
work=$(mktemp -d)
git worktree add -q --detach "$work/control" "$control"
git worktree add -q --detach "$work/current" HEAD
trap 'git worktree remove --force "$work/control"; git worktree remove --force "$work/current"; rm -rf "$work"' EXIT
for round in $(seq 1 "$rounds"); do
  for side in control current; do
    echo "=== $side $(git -C "$work/$side" rev-parse --short HEAD), round $round of $rounds, $(date +%T)"
    # shellcheck disable=SC2086
    (cd "$work/$side" && bash benchmarks/allocation.sh ${ALLOCATION_ARGS:-drf})
    if [ "${E2E:-1}" != 0 ]; then
      (cd "$work/$side" && bash benchmarks/e2e-throughput.sh)
    fi
  done
done
