# Shared by bench/run and bench/cache-full: sourced after `cd` to the repository root.
# Each script names its own figures; this file holds only how processes are started, stopped and measured.
OUT=bench/results
mkdir -p "$OUT"
command -v wrk >/dev/null || { echo "bench needs wrk: apt-get install -y wrk" >&2; exit 1; }
command -v python3 >/dev/null || { echo "bench needs python3" >&2; exit 1; }
RUN_START=$(date +%s)
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
log() { echo "bench: +$(( $(date +%s) - RUN_START ))s $*" >&2; }

# Release builds of the projects given, one after the other.
build_release() { # project...
  local project
  log "building (Release): ${*##*/}"
  for project in "$@"; do dotnet build -c Release -v quiet -nologo "$project" >/dev/null; done
}
# The router a script measures: the router.dll given, else this tree's Release build, built now. Sets DLL.
router_dll() { # [router.dll]
  if [ -n "${1:-}" ]; then DLL=$(realpath "$1"); return; fi
  build_release src/Router.Host/Router.Host.csproj
  DLL=$(realpath src/Router.Host/bin/Release/net10.0/router.dll)
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
json() { python3 -c 'import json,sys; v=json.load(sys.stdin)
for k in sys.argv[1].split("."): v=v[k]
print(v)' "$1"; }
WORK=$(mktemp -d)
PG_ROOT=""
MASTER_KEY="sk-bench-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
PIDS=()
stop_pid() { # pid [signal]: stop one process this script started, and wait for it (at most 10 s, then SIGKILL)
  kill "-${2:-TERM}" "$1" 2>/dev/null || return 0
  timeout 10 tail --pid="$1" -f /dev/null 2>/dev/null || kill -9 "$1" 2>/dev/null || true
}
stop_postgres() {
  [ -n "$PG_ROOT" ] && [ -f "$PG_ROOT/data/postmaster.pid" ] || return 0
  local pid; pid=$(head -1 "$PG_ROOT/data/postmaster.pid")
  [ -n "$pid" ] && stop_pid "$pid" INT  # fast shutdown of the postmaster, which runuser started for us
}
cleanup() {
  local p
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  stop_postgres
  for p in "${PIDS[@]}"; do stop_pid "$p"; done
  PIDS=()
  rm -rf "$WORK"
  [ -z "$PG_ROOT" ] || rm -rf "$PG_ROOT"
}
trap cleanup EXIT
trap "exit 130" INT TERM  # so that Ctrl-C and kill also stop what was started

# A throw-away PostgreSQL on a free loopback port (fsync off: a benchmark's data, not a user's). Sets PG_URL (an Npgsql
# connection string) and pg_port and password (for psql); on failure sets PG_SKIP to why and returns 1.
PG_URL=""
PG_SKIP=""
start_postgres() {
  local bin as_pg=() deadline
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  [ -n "$bin" ] && [ -x "$bin/initdb" ] || { command -v initdb >/dev/null && bin=$(dirname "$(command -v initdb)"); }
  [ -n "$bin" ] && [ -x "$bin/initdb" ] && [ -x "$bin/postgres" ] || { PG_SKIP="PostgreSQL is not installed (no initdb): apt-get install postgresql"; return 1; }
  PG_ROOT=$(mktemp -d /tmp/router-bench-pg.XXXXXX)
  password=$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
  echo "$password" >"$PG_ROOT/pwfile"
  if [ "$(id -u)" = 0 ]; then  # PostgreSQL refuses to run as root
    id postgres >/dev/null 2>&1 && command -v runuser >/dev/null || { PG_SKIP="running as root without a postgres user or runuser"; return 1; }
    chown -R postgres "$PG_ROOT"; as_pg=(runuser -u postgres --)
  fi
  "${as_pg[@]}" "$bin/initdb" -D "$PG_ROOT/data" -U postgres --pwfile "$PG_ROOT/pwfile" --auth-local=trust \
    --auth-host=scram-sha-256 --no-locale --encoding=UTF8 --no-sync >"$WORK/initdb.log" 2>&1 \
    || { PG_SKIP="initdb failed: $(tail -1 "$WORK/initdb.log")"; return 1; }
  pg_port=$(free_port)
  "${as_pg[@]}" "$bin/postgres" -D "$PG_ROOT/data" -p "$pg_port" -k "$PG_ROOT/data" -c listen_addresses=127.0.0.1 \
    -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c shared_buffers="${PG_SHARED_BUFFERS:-16MB}" >"$WORK/postgres.log" 2>&1 &
  PIDS+=($!)
  deadline=$(( $(date +%s) + 30 ))
  until "$bin/pg_isready" -h 127.0.0.1 -p "$pg_port" -q; do
    [ "$(date +%s)" -lt "$deadline" ] || { PG_SKIP="postgres did not accept connections: $(tail -1 "$WORK/postgres.log")"; return 1; }
    sleep 0.1
  done
  "${as_pg[@]}" "$bin/createdb" -h "$PG_ROOT/data" -p "$pg_port" -U postgres router >"$WORK/createdb.log" 2>&1 \
    || { PG_SKIP="createdb failed: $(tail -1 "$WORK/createdb.log")"; return 1; }
  PG_URL="Host=127.0.0.1;Port=$pg_port;Database=router;Username=postgres;Password=$password"
}

rss_kb() { awk -v k="$2" '$1==k":" {print $2}' "/proc/$1/status"; }
# A process's resident memory in kB, on one line: VmRSS, RssAnon (private), RssFile (mapped files), RssShmem (shared).
rss_parts_kb() { echo "$(rss_kb "$1" VmRSS) $(rss_kb "$1" RssAnon) $(rss_kb "$1" RssFile) $(rss_kb "$1" RssShmem)"; }
mb() { echo $(( ($1 + 512) / 1024 )); }
minus() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f", a - b }'; } # a − b, rounded: an added figure
field() { sed -n "s/.* $1=\([0-9.]*\).*/\1/p" <<<"$2"; }  # " name=": errors is not socket_errors
measure() { # url connections seconds; BENCH_KEY, BENCH_MODEL, BENCH_CACHE, BENCH_WIRE from the environment
  local threads=$(( $2 < 2 ? 1 : 2 ))
  wrk -t"$threads" -c"$2" -d"$3s" --latency -s bench/chat.lua "$1" | grep '^BENCH'
}
# A closed-loop load timed by a client that times only each request's write and read (bench/ExactLoad): the requests' own
# percentiles, where wrk's are corrected for coordinated omission. Built on first use with the C compiler; prints
# EXACT p50_us=… p99_us=… wrk_p99_us=… rps=… requests=… errors=….
measure_exact() { # url connections seconds; BENCH_KEY, BENCH_MODEL, BENCH_CACHE, BENCH_DISTINCT from the environment
  [ -x "$WORK/exact-load" ] || cc -O2 -Wall -Werror -pthread -o "$WORK/exact-load" bench/ExactLoad/exact_load.c \
    || { echo "bench needs a C compiler for bench/ExactLoad: apt-get install -y gcc" >&2; exit 1; }
  "$WORK/exact-load" "$1" "$3" "$2"
}
wait_ready() { # url seconds pid
  local deadline=$(( $(date +%s) + $2 ))
  until curl -fs -o /dev/null "$1/health/readiness"; do
    kill -0 "$3" 2>/dev/null || return 1
    [ "$(date +%s)" -lt "$deadline" ] || return 1
    sleep 0.05
  done
}
# The mock provider (its Release build) at the base URL given, else on a free loopback port; sets MOCK to its base URL.
start_mock() { # [url]
  MOCK="${1:-http://127.0.0.1:$(free_port)}"
  dotnet tests/Router.MockUpstream/bin/Release/net10.0/Router.MockUpstream.dll "$MOCK" >"$WORK/mock.log" 2>&1 &
  PIDS+=($!)
}
# Waits until the mock at $MOCK, or a proxy in front of it at the base URL given, answers a chat completion.
mock_ready() { # [base url]
  until curl -fs -o /dev/null -X POST "${1:-$MOCK}/v1/chat/completions" -d '{"model":"x","messages":[]}'; do sleep 0.05; done
}
# The bench models' prices: each routed request is charged, so spend is recorded as for real clients.
PRICES='prices {
    "bench-model" { input-cost-per-token = 0.000001, output-cost-per-token = 0.000002 }
    "bench-claude" { input-cost-per-token = 0.000001, output-cost-per-token = 0.000002 }
  }'
# One node on embedded defaults in front of the mock's OpenAI endpoint ($MOCK), one priced model (and bench-claude, the same
# through the mock's Anthropic endpoint, translated both ways), the breaker never opening: the config bench/cache-full and
# bench/ab start. Extra HOCON (the second argument) goes inside router { }.
single_node_conf() { # data-dir [extra HOCON]
  cat <<CONF
router {
  master-key = "$MASTER_KEY"
  data-dir = "$1"
  providers {
    mock { type = openai-compatible, api-base = "$MOCK/v1" }
    claude { type = anthropic, api-base = "$MOCK/anthropic/v1", key-required = false }
  }
  models = [ { name = "bench-model", provider = mock }, { name = "bench-claude", provider = claude, model = "bench-model" } ]
  $PRICES
  breaker.consecutive-failures-to-open = 1000000
  ${2:-}
}
CONF
}
# One router ($1, a router.dll) over the data directory $2 (single_node_conf, with $3 as extra HOCON), in front of the mock, on
# a free loopback port, ROUTER_ENV in its environment; waits until it is ready. Sets ROUTER (its base URL) and ROUTER_PID.
start_router() { # router.dll data-dir [extra HOCON]
  ROUTER="http://127.0.0.1:$(free_port)"
  single_node_conf "$2" "${3:-}" >"$WORK/router.conf"
  env ${ROUTER_ENV:-} dotnet "$1" --config "$WORK/router.conf" --urls "$ROUTER" >"$WORK/router.log" 2>&1 &
  ROUTER_PID=$!
  PIDS+=($!)
  wait_ready "$ROUTER" 60 "$ROUTER_PID" || { log "the router did not become ready:"; tail -20 "$WORK/router.log" >&2; exit 1; }
}
# Two routers on the mock ($MOCK), $A_DLL and $B_DLL, each with a virtual key of its own: URL, KEY and PID by side (A, B).
# B alone gets B_CONF's HOCON inside router { } and B_ENV's environment. For the interleaved A/B scripts (bench/ab, bench/ab-cpu).
start_ab_routers() {
  declare -gA URL KEY PID
  local side dll_var
  for side in A B; do
    URL[$side]="http://127.0.0.1:$(free_port)"
    dll_var="${side}_DLL"
    single_node_conf "$WORK/$side" "$([ "$side" = B ] && echo "${B_CONF:-}")" >"$WORK/$side.conf"
    env $([ "$side" = B ] && echo "${B_ENV:-}") dotnet "${!dll_var}" --config "$WORK/$side.conf" --urls "${URL[$side]}" >"$WORK/$side.log" 2>&1 &
    PID[$side]=$!
    PIDS+=($!)
  done
  for side in A B; do
    wait_ready "${URL[$side]}" 60 "${PID[$side]}" || { log "router $side did not become ready:"; tail -20 "$WORK/$side.log" >&2; exit 1; }
    KEY[$side]=$(new_key "${URL[$side]}" "ab-$side" | json key)
  done
}
# 32 connections for a number of seconds: one cached answer again and again (hit), or distinct budgeted requests named by
# run-name (miss). BENCH_KEY from the environment.
load32() { # chat-completions-url hit|miss run-name seconds
  if [ "$2" = hit ]; then BENCH_CACHE=1 measure "$1" 32 "$4"; else BENCH_DISTINCT="$3" measure "$1" 32 "$4"; fi
}
# A process's CPU time so far (user and system), in clock ticks (getconf CLK_TCK a second).
cpu_ticks() { sed 's/.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'; }
# A virtual key with a budget too large to run out, made with the master key through the key API.
new_key() { # router-url alias; prints the generate answer (JSON)
  curl -fsS -X POST "$1/key/generate" -H "Authorization: Bearer $MASTER_KEY" -H 'Content-Type: application/json' \
    -d "{\"key_alias\":\"$2\",\"max_budget\":1000000}"
}
key_spend() { # router-url key-id
  curl -fsS "$1/key/info?key=$2" -H "Authorization: Bearer $MASTER_KEY" | json info.spend
}
# Figures of several rounds: the median is what the tables report, so one disturbed round does not decide.
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
sum() { printf '%s\n' "$@" | awk '{ s += $1 } END { print s + 0 }'; }
met() { awk "BEGIN { exit !($1) }" && echo yes || echo "**no**"; }
# The router's response cache, for the scripts that fill it (they set ROUTER and ROUTED).
cache_stat() { curl -fsS "$ROUTER/admin/cache" -H "Authorization: Bearer $MASTER_KEY" | json "$1"; }
fill_cache() { # name: distinct answers, allowed into the cache, until it holds 99 % of its bound (max-bytes)
  local start fill=0 max
  start=$(date +%s); max=$(cache_stat max_bytes)
  until [ "$(cache_stat bytes)" -ge $(( max * 99 / 100 )) ]; do
    [ $(( $(date +%s) - start )) -lt 300 ] || { log "the cache did not fill in 300 s: $(cache_stat bytes) of $max bytes"; exit 1; }
    fill=$((fill + 1))
    BENCH_CACHE=1 BENCH_DISTINCT="fill$1-$fill" measure "$ROUTED" 32 5 >/dev/null
  done
  log "full: $(cache_stat entries) entries, $(cache_stat bytes) bytes after $(( $(date +%s) - start )) s"
}
