# Sourced by scripts/bench and scripts/bench-lettuce: a redis-server of their own for one run.
#
# bench_redis_start: unless REDIS_URL is set, starts redis-server on a free loopback port with
# --save "" --appendonly no in a fresh temporary directory, waits until it answers PING, exports
# REDIS_URL and BENCH_REDIS_PORT, and arranges (trap on EXIT) for it to be stopped and its directory
# removed when the calling script exits. With REDIS_URL set, it uses that Redis and starts nothing.

bench_redis_pid=""
bench_redis_dir=""

bench_redis_stop() {
  if [[ -n "$bench_redis_pid" ]]; then
    kill "$bench_redis_pid" 2>/dev/null || true
    for _ in $(seq 1 100); do
      kill -0 "$bench_redis_pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -9 "$bench_redis_pid" 2>/dev/null || true
    wait "$bench_redis_pid" 2>/dev/null || true
    bench_redis_pid=""
  fi
  if [[ -n "$bench_redis_dir" ]]; then
    rm -rf "$bench_redis_dir"
    bench_redis_dir=""
  fi
}

bench_redis_start() {
  if [[ -n "${REDIS_URL:-}" ]]; then
    echo "bench: using Redis at REDIS_URL" >&2
    return
  fi
  command -v redis-server >/dev/null || { echo "bench: redis-server not found on PATH (or set REDIS_URL)" >&2; exit 1; }
  trap bench_redis_stop EXIT
  trap 'exit 130' INT TERM
  bench_redis_dir="$(mktemp -d -t orion-bench-redis-XXXXXX)"
  local attempt port
  for attempt in 1 2 3 4 5 6 7 8; do
    port=$(( 20000 + (RANDOM * 32768 + RANDOM) % 40000 ))
    redis-server --bind 127.0.0.1 --port "$port" --save "" --appendonly no --dir "$bench_redis_dir" \
      --logfile "$bench_redis_dir/redis.log" &
    bench_redis_pid=$!
    for _ in $(seq 1 50); do
      kill -0 "$bench_redis_pid" 2>/dev/null || break
      if bench_redis_ping "$port"; then
        export REDIS_URL="redis://127.0.0.1:$port" BENCH_REDIS_PORT="$port"
        echo "bench: redis-server $(redis-server --version | sed -n 's/.*v=\([^ ]*\).*/\1/p') on port $port (pid $bench_redis_pid)" >&2
        return
      fi
      sleep 0.1
    done
    # Port taken (it exited) or not answering: try another port.
    kill "$bench_redis_pid" 2>/dev/null || true
    wait "$bench_redis_pid" 2>/dev/null || true
    bench_redis_pid=""
  done
  echo "bench: could not start redis-server; last log lines:" >&2
  tail -n 20 "$bench_redis_dir/redis.log" >&2 || true
  exit 1
}

# Whether a Redis on 127.0.0.1:$1 answers PING (redis-cli when present, else bash's /dev/tcp).
bench_redis_ping() {
  if command -v redis-cli >/dev/null; then
    [[ "$(redis-cli -h 127.0.0.1 -p "$1" ping 2>/dev/null)" == "PONG" ]]
  else
    (exec 3<>"/dev/tcp/127.0.0.1/$1" && printf 'PING\r\n' >&3 && read -r -t 1 reply <&3 && [[ "$reply" == +PONG* ]]) 2>/dev/null
  fi
}
