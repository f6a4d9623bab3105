#!/usr/bin/env bash
# Allocation cycle time of the master core, in process, in Mesos's benchmark shapes (see BENCHMARKS.md).
# Usage: benchmarks/allocation.sh [policy] [shape...]   e.g. benchmarks/allocation.sh drf cycle:20000x2000 decline:10000x1000
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q install -DskipTests -pl benchmarks -am
mvn -B -q -pl benchmarks exec:exec -Dbenchmark.args="${*:-}" 2>&1 | grep -E "BENCHMARK|Allocation benchmark|Exception|Error"
