# Shared helpers for scripts/kafka/*.sh (sourced, not executed).
# Resolves paths from this file's location so the scripts work from any cwd.
KAFKA_SCRIPTS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$KAFKA_SCRIPTS_DIR/../.." && pwd)"
KAFKA_STATE_DIR="$REPO_ROOT/.kafka"
KAFKA_LIB_DIR="$KAFKA_STATE_DIR/lib"
# KAFKA_RUN_DIR: where the pid and env files of this broker go; another dir runs a second broker
# (tests that need a fresh one) next to the repo's own, sharing the jars.
KAFKA_RUN_DIR="${KAFKA_RUN_DIR:-$KAFKA_STATE_DIR}"
mkdir -p "$KAFKA_RUN_DIR"
KAFKA_PID_FILE="$KAFKA_RUN_DIR/broker.pid"
KAFKA_ENV_FILE="$KAFKA_RUN_DIR/broker.env"

# Pinned version = <kafka.version> in pom.xml; KAFKA_VERSION overrides it (for re-testing).
kafka_pinned_version() {
  sed -n 's:.*<kafka.version>\([^<]*\)</kafka.version>.*:\1:p' "$KAFKA_SCRIPTS_DIR/pom.xml" | head -n1
}
KAFKA_VERSION="${KAFKA_VERSION:-$(kafka_pinned_version)}"

# Stamp written by fetch.sh once .kafka/lib holds a complete copy for this version + pom.
kafka_expected_stamp() {
  local pom_sum
  pom_sum="$(sha256sum "$KAFKA_SCRIPTS_DIR/pom.xml" | cut -d' ' -f1)"
  echo "kafka_2.13=$KAFKA_VERSION log4j2=${KAFKA_LOG4J2_VERSION:-pom} pom=$pom_sum"
}

kafka_lib_ready() {
  [[ -f "$KAFKA_LIB_DIR/.stamp" ]] && [[ "$(cat "$KAFKA_LIB_DIR/.stamp")" == "$(kafka_expected_stamp)" ]]
}

# Is $1 a live broker process started by start.sh (java running kafka.Kafka)?
kafka_pid_alive() {
  local pid="$1"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null \
    && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q 'kafka\.Kafka '
}

kafka_log() { echo "[kafka] $*" >&2; }
