#!/usr/bin/env bash
# Stop the broker started by scripts/kafka/start.sh: SIGTERM (controlled shutdown),
# wait up to KAFKA_STOP_TIMEOUT seconds [30], then SIGKILL. Removes the temporary
# work dir unless KAFKA_KEEP=1 (a dir given via KAFKA_WORK_DIR is never removed).
# Exits 0 if nothing was running.
set -euo pipefail
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/common.sh"

STOP_TIMEOUT="${KAFKA_STOP_TIMEOUT:-30}"
WORK_DIR=""; OWNED=0
if [[ -f "$KAFKA_ENV_FILE" ]]; then
  WORK_DIR="$(sed -n 's/^KAFKA_WORK_DIR=//p' "$KAFKA_ENV_FILE")"
  grep -q '^KAFKA_WORK_DIR_OWNED=1$' "$KAFKA_ENV_FILE" && OWNED=1
fi
pid="$(cat "$KAFKA_PID_FILE" 2>/dev/null || true)"

if [[ -n "$pid" ]] && kafka_pid_alive "$pid"; then
  kafka_log "stopping broker pid $pid (SIGTERM, up to ${STOP_TIMEOUT}s)"
  kill -TERM "$pid" 2>/dev/null || true
  deadline=$((SECONDS + STOP_TIMEOUT))
  while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.2; done
  if kill -0 "$pid" 2>/dev/null; then
    kafka_log "still running after ${STOP_TIMEOUT}s, sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  fi
  kafka_log "stopped"
else
  kafka_log "no broker running${pid:+ (stale pid $pid)}"
fi

rm -f "$KAFKA_PID_FILE" "$KAFKA_ENV_FILE"
if [[ -n "$WORK_DIR" && -d "$WORK_DIR" ]]; then
  if [[ "$OWNED" == 1 && "${KAFKA_KEEP:-0}" != 1 ]]; then
    rm -rf "$WORK_DIR"; kafka_log "removed $WORK_DIR"
  else
    kafka_log "kept $WORK_DIR"
  fi
fi
exit 0
