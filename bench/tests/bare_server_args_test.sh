#!/bin/sh
# bare_server_args_test.sh BIN_DIR: every minimal C server refuses a bad port or option with exit
# 2, a message naming the problem in netref's words (G1), and no `listening on` line (port 70000
# must not bind 4464).
# Each case should fail in argument parsing, before any socket exists; one that binds instead is
# ended by `timeout` (2 s, times NETREF_TIME_SCALE) and reported.
set -u
bin_dir=$1
failures=0
limit=$((2 * ${NETREF_TIME_SCALE:-1}))
err_file=$(mktemp)
trap 'rm -f "$err_file"' EXIT
check() {  # check SERVER EXPECTED_MESSAGE ARG...
  server=$1; expected=$2; shift 2
  out=$(timeout -s KILL "$limit" "$bin_dir/$server" "$@" 2>"$err_file" </dev/null); status=$?
  err=$(cat "$err_file")
  case "$err" in
    *"$expected"*) message_ok=yes ;;
    *) message_ok=no ;;
  esac
  if [ "$status" -ne 2 ] || [ -n "$out" ] || [ "$message_ok" = no ]; then
    echo "FAIL: $server $*: exit $status (want 2), stdout '$out', stderr '$err' (want '$expected')"
    failures=$((failures + 1))
  fi
}
for server in bench_bare_iterative bench_bare_fork bench_bare_prefork bench_bare_epoll; do
  check "$server" "port: '70000': must be 0..65535" 70000
  check "$server" "port: '65536': must be 0..65535" 65536
  check "$server" "port: '-1': must be 0..65535" -1
  check "$server" "port: '12x': must be 0..65535" 12x
  check "$server" "port: 'abc': must be 0..65535" abc
  check "$server" "port: '': must be 0..65535" ""
  check "$server" "missing argument PORT"
  check "$server" "unknown option '--bogus'" 0 --bogus
  check "$server" "--bind: bad IPv4 address '1.2.3'" 0 --bind 1.2.3
  check "$server" "--bind needs a value" 0 --bind
done
check bench_bare_prefork "--workers: '0': must be 1..1024" 0 --workers 0
check bench_bare_fork "only bench_bare_prefork has workers" 0 --workers 2
[ "$failures" -eq 0 ] && echo "all bad arguments refused with exit 2"
exit "$failures"
