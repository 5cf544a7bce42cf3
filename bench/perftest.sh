#!/usr/bin/env bash
# The broker's own rate, as a yardstick: RabbitMQ PerfTest (Maven artifact
# com.rabbitmq:perf-test) with one producer publishing persistent messages
# of SIZE bytes with publisher confirms (at most 100 outstanding) and one
# consumer acking each message (prefetch 100), for SECONDS, on a quorum
# queue of its own in the vhost of AMQP_URI (Workstream's queues are quorum
# queues; the bench drops the vhost, and the queue with it). Prints the consumer's average rate
# (messages published, confirmed, delivered and acked per second).
#
#   bench/perftest.sh AMQP_URI SIZE SECONDS
#
# PerfTest and its dependencies are fetched once with Maven into
# ${WORKSTREAM_TOOLS_CACHE:-~/.cache/workstream-tools}/perf-test-VERSION.
# Exits 1 if Java or Maven is missing or the fetch fails.
set -euo pipefail
version=2.22.1
cache=${WORKSTREAM_TOOLS_CACHE:-$HOME/.cache/workstream-tools}
dir=$cache/perf-test-$version
uri=$1 size=$2 seconds=$3

command -v java >/dev/null && command -v mvn >/dev/null || { echo "perftest: java and mvn are needed" >&2; exit 1; }
if [ ! -f "$dir/lib/perf-test-$version.jar" ]; then
  tmp=$dir.tmp.$$
  rm -rf "$tmp" && mkdir -p "$tmp"
  trap 'rm -rf "$tmp"' EXIT
  cat >"$tmp/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.workstream</groupId>
  <artifactId>perf-test-classpath</artifactId>
  <version>1</version>
  <dependencies>
    <dependency><groupId>com.rabbitmq</groupId><artifactId>perf-test</artifactId><version>$version</version></dependency>
  </dependencies>
</project>
POM
  (cd "$tmp" && mvn -q -B dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$tmp/lib") >"$tmp/mvn.log" 2>&1 ||
    { echo "perftest: fetching com.rabbitmq:perf-test:$version failed:" >&2; tail -5 "$tmp/mvn.log" >&2; exit 1; }
  rm -rf "$dir" && mv "$tmp" "$dir"
  trap - EXIT
fi

out=$(java -cp "$dir/lib/*" com.rabbitmq.perf.PerfTest --uri "$uri" --producers 1 --consumers 1 \
  --size "$size" --confirm 100 --qos 100 --flag persistent --time "$seconds" \
  --queue "bench.perftest.$$" --quorum-queue 2>&1) || { echo "$out" >&2; exit 1; }
rate=$(awk '/receiving rate avg/ {print $(NF-1)}' <<<"$out")
[ -n "$rate" ] || { echo "perftest: no receiving rate in its output:" >&2; echo "$out" | tail -5 >&2; exit 1; }
echo "$rate"
