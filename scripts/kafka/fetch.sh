#!/usr/bin/env bash
# Resolve the Kafka broker jars from Maven Central into <repo>/.kafka/lib.
# Jars are cached in ~/.m2, so re-fetching is offline-fast; if .kafka/lib already
# matches the pinned version (stamp file) nothing runs at all.
#   KAFKA_VERSION=x.y.z   override the version pinned in scripts/kafka/pom.xml
#   KAFKA_LOG4J2_VERSION  log4j2 binding version for an overridden 4.x KAFKA_VERSION
#                         (match the log4j-core that version of kafka-server depends on)
#   KAFKA_FETCH_FORCE=1   re-copy even if the stamp matches
set -euo pipefail
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/common.sh"

if [[ "${KAFKA_FETCH_FORCE:-0}" != 1 ]] && kafka_lib_ready; then
  kafka_log "jars for Kafka $KAFKA_VERSION already in $KAFKA_LIB_DIR"
  exit 0
fi

command -v mvn >/dev/null || { kafka_log "mvn not found"; exit 1; }
mkdir -p "$KAFKA_STATE_DIR"
tmp_lib="$(mktemp -d "$KAFKA_STATE_DIR/lib.tmp.XXXXXX")"
trap 'rm -rf "$tmp_lib"' EXIT

mvn_args=(-q -B -Dstyle.color=never -f "$KAFKA_SCRIPTS_DIR/pom.xml" -Dkafka.version="$KAFKA_VERSION")
# Kafka 3.x logs through reload4j, 4.x through log4j2 (see pom.xml profiles).
if [[ "${KAFKA_VERSION%%.*}" -lt 4 ]]; then mvn_args+=(-Dkafka.reload4j); fi
if [[ -n "${KAFKA_LOG4J2_VERSION:-}" ]]; then mvn_args+=(-Dlog4j2.version="$KAFKA_LOG4J2_VERSION"); fi

kafka_log "fetching Kafka $KAFKA_VERSION jars (mvn dependency:copy-dependencies)"
mvn "${mvn_args[@]}" dependency:copy-dependencies \
  -DincludeScope=runtime -DoutputDirectory="$tmp_lib" 2>&1 \
  | sed -e 's/\x1b\[[0-9;]*m//g' -e '/^$/d' >&2   # mvn -q still emits bare ANSI resets

ls "$tmp_lib"/kafka_2.13-"$KAFKA_VERSION".jar >/dev/null
kafka_expected_stamp >"$tmp_lib/.stamp"
rm -rf "$KAFKA_LIB_DIR"
mv "$tmp_lib" "$KAFKA_LIB_DIR"
trap - EXIT
kafka_log "$(ls "$KAFKA_LIB_DIR" | wc -l) jars in $KAFKA_LIB_DIR"
