#!/usr/bin/env bash
# Idle footprint: the resident memory (ps -o rss) of the master's and the agent's JVMs, started by ./pangaea up with
# their default settings, 60 s after they came up: on a first boot (fresh distributions) and on a restart.
# Uses the local cluster's ports (5050, 5051); stops it at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
rss() { # kind
  local pid jvm; pid=$(cat ".local/$1.pid"); jvm=$(ps -o pid= --ppid "$pid" | tr -d ' ' | head -n 1)
  echo $(( $(ps -o rss= -p "$jvm") / 1024 ))
}
./pangaea down >/dev/null 2>&1 || true
rm -rf .local/master .local/agent   # a first boot: unpacked anew
./pangaea up >/dev/null
sleep 60
echo "BENCHMARK footprint first boot, idle 60 s: master $(rss master) MB, agent $(rss agent) MB"
./pangaea down >/dev/null
./pangaea up >/dev/null
sleep 60
echo "BENCHMARK footprint restart, idle 60 s: master $(rss master) MB, agent $(rss agent) MB"
./pangaea down >/dev/null
