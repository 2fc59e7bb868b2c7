# Sourced by scripts/cluster-demo and scripts/bench-cluster: throwaway
# PostgreSQL and NATS JetStream servers on this machine, and their cleanup.
# Everything lives in $tmp (a fresh temporary directory); `cluster_pids`
# collects the processes to stop.

PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
if [ -z "$PGBIN" ] || [ ! -x "$PGBIN/initdb" ] || ! command -v nats-server >/dev/null; then
  echo "$(basename "$0"): needs postgresql-15 and nats-server (scripts/install-deps test)" >&2
  exit 77
fi

tmp=$(mktemp -d /tmp/storyline-cluster-XXXXXX)
cluster_pids=()
as_pg=()
if [ "$(id -u)" -eq 0 ]; then
  # PostgreSQL refuses to run as root: the postgres user (made by the package) runs it.
  chown postgres: "$tmp"
  as_pg=(runuser -u postgres --)
fi

cluster_cleanup() {
  for p in "${cluster_pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${cluster_pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$p" 2>/dev/null || true
  done
  "${as_pg[@]}" "$PGBIN/pg_ctl" -D "$tmp/pg" -m immediate -w stop >/dev/null 2>&1 || true
  if [ "${KEEP:-0}" = 1 ]; then echo "kept $tmp" >&2; else rm -rf "$tmp"; fi
}
trap cluster_cleanup EXIT

# cluster_start_pg DB...: a cluster in $tmp/pg (Unix socket in $tmp only) with
# these databases; sets PGHOSTDIR. The URL of database D: $(pg_url D).
cluster_start_pg() {
  "${as_pg[@]}" "$PGBIN/initdb" -D "$tmp/pg" -U storyline -A trust -E UTF8 --locale=C \
    --no-sync >"$tmp/initdb.log"
  "${as_pg[@]}" "$PGBIN/pg_ctl" -D "$tmp/pg" -l "$tmp/postgres.log" -w \
    -o "-k $tmp -c listen_addresses= -p 5432 ${PG_EXTRA:-}" start >/dev/null
  for db in "$@"; do psql -q "$(pg_url postgres)" -c "CREATE DATABASE $db"; done
}
pg_url() { echo "postgresql:///$1?host=$tmp&port=5432&user=storyline"; }

# cluster_start_nats: nats-server -js on a free loopback port; sets NATS.
cluster_start_nats() {
  nats-server -js -a 127.0.0.1 -p -1 -sd "$tmp/nats" -l "$tmp/nats.log" &
  cluster_pids+=($!)
  NATS=""
  for _ in $(seq 100); do
    NATS=$(sed -n 's/.*Listening for client connections on \(127\.0\.0\.1:[0-9]*\).*/nats:\/\/\1/p' \
      "$tmp/nats.log" 2>/dev/null | tail -1 || true)
    [ -n "$NATS" ] && return 0
    sleep 0.1
  done
  echo "nats-server did not start ($tmp/nats.log)" >&2
  return 1
}
