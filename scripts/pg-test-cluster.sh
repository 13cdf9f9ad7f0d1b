#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests of the PostgreSQL backend.
#
#   scripts/pg-test-cluster.sh start   makes a cluster in a fresh directory
#                                      /tmp/gw-pg-test.XXXXXX, starts it, creates the
#                                      database gateway_test and prints its libpq URI
#                                      (also written to DIR/url); when this repository's
#                                      cluster is running already, only prints its URI
#   scripts/pg-test-cluster.sh env     prints `export GATEWAY_TEST_PG_URL=...` for the
#                                      running cluster (eval "$(... env)"); exit 1 if none
#   scripts/pg-test-cluster.sh stop    stops the cluster and removes its directory;
#                                      nothing to do is not an error
#
# The cluster listens on a Unix socket in its own directory only (listen_addresses
# is empty), trusts local connections only (pg_hba.conf has one `local` line) and
# runs with fsync off: fast, reachable by this machine's users only, and lost on a
# crash, which is all a test needs. It never touches a system cluster: every
# command names its own data directory, and `stop` removes only a directory this
# script made (it holds the marker file gw-pg-test-cluster).
#
# PostgreSQL refuses to run as root: run as root, the cluster runs as the user
# PG_TEST_USER (default nobody), which owns its directory; run as anyone else, it
# runs as that user.
#
# The running cluster's directory is remembered in the file PG_TEST_CLUSTER_STATE
# (default .pg-test-cluster in this repository, ignored by git), so that each
# worktree has its own cluster.
#
# Environment: PG_BINDIR (default the newest /usr/lib/postgresql/*/bin with
# initdb), PG_TEST_USER, PG_TEST_CLUSTER_STATE.
# Exit status: 0 done; 1 failed; 3 PostgreSQL's server programs are not installed
# (scripts/setup.sh --tests installs them), so the caller may go on without.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
state=${PG_TEST_CLUSTER_STATE:-$repo/.pg-test-cluster}
marker=gw-pg-test-cluster
database=gateway_test

say() { printf 'pg-test-cluster: %s\n' "$*" >&2; }

find_bindir() {
  if [[ -n "${PG_BINDIR:-}" ]]; then
    if [[ -x "$PG_BINDIR/initdb" && -x "$PG_BINDIR/pg_ctl" ]]; then echo "$PG_BINDIR"; fi
    return
  fi
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [[ -x "$d/initdb" && -x "$d/pg_ctl" ]]; then
      echo "$d"
      return
    fi
  done
}

# Runs a command as the cluster's user.
if [[ $(id -u) -eq 0 ]]; then
  cluster_user=${PG_TEST_USER:-nobody}
  as_user() { runuser -u "$cluster_user" -- "$@"; }
else
  cluster_user=$(id -un)
  as_user() { "$@"; }
fi

# The directory of this repository's cluster, if the state file names one that
# this script made; empty otherwise.
current_dir() {
  [[ -f "$state" ]] || return 0
  local dir
  dir=$(<"$state")
  if [[ "$dir" == /tmp/gw-pg-test.* && -f "$dir/$marker" ]]; then echo "$dir"; fi
}

running() {
  local dir=$1 bindir
  bindir=$(find_bindir)
  [[ -n "$bindir" && -f "$dir/data/postmaster.pid" ]] && as_user "$bindir/pg_ctl" -D "$dir/data" status >/dev/null 2>&1
}

stop() {
  local dir bindir
  dir=$(current_dir)
  if [[ -z "$dir" ]]; then
    rm -f "$state"
    return 0
  fi
  bindir=$(find_bindir)
  if [[ -n "$bindir" && -f "$dir/data/postmaster.pid" ]]; then
    # immediate: the data is thrown away anyway.
    as_user "$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf -- "$dir"
  rm -f "$state"
  say "stopped and removed $dir"
}

start() {
  local dir bindir url
  dir=$(current_dir)
  if [[ -n "$dir" ]]; then
    if running "$dir" && [[ -f "$dir/url" ]]; then
      cat "$dir/url"
      return 0
    fi
    stop  # left from an earlier run (the machine restarted, or start failed half-way)
  fi
  bindir=$(find_bindir)
  if [[ -z "$bindir" ]]; then
    say "PostgreSQL's server programs (initdb, pg_ctl) are not installed"
    exit 3
  fi
  dir=$(mktemp -d /tmp/gw-pg-test.XXXXXX)
  touch "$dir/$marker"
  echo "$dir" >"$state"
  chown "$cluster_user" "$dir"
  chmod 0755 "$dir"  # the socket is in it: other local users (root) connect
  if ! as_user "$bindir/initdb" -D "$dir/data" -U gateway -E UTF8 --locale=C.UTF-8 \
         --auth-local=trust --auth-host=reject --no-sync >"$dir/initdb.log" 2>&1; then
    cat "$dir/initdb.log" >&2
    stop
    say "initdb failed"
    exit 1
  fi
  echo "local all all trust" >"$dir/data/pg_hba.conf"
  cat >>"$dir/data/postgresql.conf" <<EOF

# scripts/pg-test-cluster.sh: a throwaway test cluster
listen_addresses = ''
unix_socket_directories = '$dir'
port = 5432
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 100
EOF
  if ! as_user "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null; then
    cat "$dir/server.log" >&2 || true
    stop
    say "the server did not start"
    exit 1
  fi
  if ! as_user "$bindir/createdb" -h "$dir" -U gateway "$database"; then
    stop
    say "createdb failed"
    exit 1
  fi
  url="postgresql:///$database?host=$dir&user=gateway"
  echo "$url" >"$dir/url"
  say "running in $dir"
  echo "$url"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  env)
    dir=$(current_dir)
    if [[ -z "$dir" || ! -f "$dir/url" ]] || ! running "$dir"; then
      say "no cluster is running (scripts/pg-test-cluster.sh start)"
      exit 1
    fi
    printf "export GATEWAY_TEST_PG_URL='%s'\n" "$(<"$dir/url")"
    ;;
  *)
    sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2
    exit 2
    ;;
esac
