#!/usr/bin/env bash
# Young-collection pauses of JVM GC logs (-Xlog:gc:file=...), one line per log with more than three: how many after
# the first two (start-up), and their median, 90th percentile and maximum in ms.
# Usage: docs/perf-data/gc-pauses.sh LOG...   (e.g. the logs of a JVM_OPTIONS file with -Xlog:gc:file=/tmp/x-%p.log)
for f in "$@"; do
  n=$(grep -c 'Pause Young' $f); [ $n -gt 3 ] || continue
  grep 'Pause Young' $f | awk '{print $NF}' | tr -d 'ms' | tail -n +3 | sort -n | awk -v f=$(basename $f) '{a[NR]=$1} END {printf "%s n=%d p50=%.2f p90=%.2f max=%.2f\n", f, NR, a[int((NR+1)/2)], a[int(NR*0.9+0.5)], a[NR]}'
done
