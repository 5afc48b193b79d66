#!/usr/bin/env bash
# influxdb.sh — the project's InfluxDB 1.8.10 for tests, benchmarks and demos.
#
#   scripts/influxdb.sh install       build influxd into .tools/ once (~2 min cold)
#   scripts/influxdb.sh path          print the binary's path (exit 1 if not built)
#   scripts/influxdb.sh start DIR     start a server whose files live in DIR, on free
#                                     loopback ports; print INFLUX_* lines (eval-able)
#   scripts/influxdb.sh stop DIR      stop the server started in DIR
#
# The binary is built from the Go module proxy with `go install`, because that is
# the one registry every machine of this project reaches; it lands in the
# git-ignored .tools/ folder and later runs reuse it. VANTAGE_INFLUXD overrides
# the binary (the Go test helper internal/testinflux honours it too).
#
# start writes DIR/influxdb.conf, DIR/influxd.log, DIR/influxd.pid and DIR/env
# (the same INFLUX_* lines it prints). Starting again in the same DIR reuses the
# data, which is how a test restarts a server "after an outage".
set -euo pipefail

VERSION=1.8.10
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TOOLS="$ROOT/.tools/influxdb-$VERSION"
BIN="${VANTAGE_INFLUXD:-$TOOLS/bin/influxd}"
DATABASE=vantage

die() { echo "influxdb.sh: $*" >&2; exit 1; }

usage() {
	sed -n '2,9p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

cmd_install() {
	if [[ -x "$BIN" ]]; then
		return 0
	fi
	[[ -z "${VANTAGE_INFLUXD:-}" ]] || die "VANTAGE_INFLUXD=$VANTAGE_INFLUXD is not an executable file"
	command -v go >/dev/null || die "go is not on PATH; it is needed to build influxd"
	echo "influxdb.sh: building influxd $VERSION into $TOOLS/bin (about 2 minutes the first time)" >&2
	mkdir -p "$TOOLS/bin"
	# Build outside the project's module so its go.mod and GOFLAGS (say
	# -mod=vendor) do not apply to a pkg@version install.
	(cd "$TOOLS" && GOFLAGS= GOBIN="$TOOLS/bin" \
		go install "github.com/influxdata/influxdb/cmd/influxd@v$VERSION") ||
		die "go install github.com/influxdata/influxdb/cmd/influxd@v$VERSION failed"
	[[ -x "$BIN" ]] || die "go install finished but $BIN is missing"
}

# free_port prints a TCP port on 127.0.0.1 that nobody listens on. The kernel
# picks it (python3), or, without python3, the first unused port of a range.
free_port() {
	if command -v python3 >/dev/null; then
		python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
		return
	fi
	command -v ss >/dev/null || die "need python3 or ss (iproute2) to find a free port"
	local p
	for ((p = 20000 + RANDOM % 20000; p < 65000; p++)); do
		if ! ss -Htln "sport = :$p" | grep -q .; then
			echo "$p"
			return
		fi
	done
	die "no free port found"
}

running_pid() { # prints the pid of DIR's server if it runs
	local pidfile="$1/influxd.pid" pid
	[[ -f "$pidfile" ]] || return 1
	pid=$(<"$pidfile")
	[[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

cmd_start() {
	local dir="${1:-}"
	[[ -n "$dir" ]] || die "start needs a directory: scripts/influxdb.sh start DIR"
	command -v curl >/dev/null || die "curl is needed to talk to influxd"
	cmd_install
	mkdir -p "$dir"
	dir=$(cd "$dir" && pwd)
	if pid=$(running_pid "$dir"); then
		die "influxd already runs from $dir (pid $pid); stop it first"
	fi
	local http rpc
	http=$(free_port)
	rpc=$(free_port)
	while [[ "$rpc" == "$http" ]]; do rpc=$(free_port); done

	# reporting-disabled: never phone home (tests reach no outside address).
	# Monitor store and HTTP access log off: they cost write throughput and
	# disk, and nobody reads them here.
	cat >"$dir/influxdb.conf" <<EOF
reporting-disabled = true
bind-address = "127.0.0.1:$rpc"

[meta]
  dir = "$dir/meta"

[data]
  dir = "$dir/data"
  wal-dir = "$dir/wal"
  query-log-enabled = false

[monitor]
  store-enabled = false

[http]
  bind-address = "127.0.0.1:$http"
  flux-enabled = true
  log-enabled = false

[logging]
  level = "warn"
EOF
	# setsid: the server must outlive this script and not get the caller's
	# terminal signals; the pid file is how stop finds it.
	setsid "$BIN" run -config "$dir/influxdb.conf" >>"$dir/influxd.log" 2>&1 </dev/null &
	local pid=$!
	echo "$pid" >"$dir/influxd.pid"

	local url="http://127.0.0.1:$http" i
	for ((i = 0; i < 300; i++)); do
		if curl -fsS -o /dev/null "$url/ping" 2>/dev/null; then
			break
		fi
		if ! kill -0 "$pid" 2>/dev/null; then
			rm -f "$dir/influxd.pid"
			tail -n 20 "$dir/influxd.log" >&2 || true
			die "influxd exited during start-up (log: $dir/influxd.log)"
		fi
		sleep 0.1
	done
	if ((i == 300)); then
		kill "$pid" 2>/dev/null || true
		rm -f "$dir/influxd.pid"
		die "influxd did not answer $url/ping within 30 s (log: $dir/influxd.log)"
	fi
	# CREATE DATABASE is idempotent, so a restart in the same DIR is fine.
	curl -fsS -o /dev/null -XPOST "$url/query" --data-urlencode "q=CREATE DATABASE $DATABASE" ||
		die "CREATE DATABASE $DATABASE failed at $url"

	{
		echo "INFLUX_URL=$url"
		echo "INFLUX_DATABASE=$DATABASE"
		echo "INFLUX_BUCKET=$DATABASE/autogen"
		echo "INFLUX_TOKEN="
		echo "INFLUX_PID=$pid"
		echo "INFLUX_DIR=$dir"
	} | tee "$dir/env"
}

cmd_stop() {
	local dir="${1:-}"
	[[ -n "$dir" ]] || die "stop needs a directory: scripts/influxdb.sh stop DIR"
	local pid
	if ! pid=$(running_pid "$dir"); then
		rm -f "$dir/influxd.pid"
		echo "influxdb.sh: no influxd running from $dir" >&2
		return 0
	fi
	kill "$pid"
	local i
	for ((i = 0; i < 100; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		echo "influxdb.sh: influxd (pid $pid) ignored SIGTERM for 10 s; killing it" >&2
		kill -9 "$pid" 2>/dev/null || true
	fi
	rm -f "$dir/influxd.pid"
}

case "${1:-}" in
install)
	cmd_install
	echo "$BIN"
	;;
path)
	echo "$BIN"
	[[ -x "$BIN" ]] || die "not built yet: run scripts/influxdb.sh install"
	;;
start) cmd_start "${2:-}" ;;
stop) cmd_stop "${2:-}" ;;
*) usage ;;
esac
