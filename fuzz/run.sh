#!/usr/bin/env bash
# Runs every cargo-fuzz target of audit-cef in turn and prints a summary.
#
#   bash fuzz/run.sh [seconds] [target...]
#
# seconds: libFuzzer's -max_total_time per target (default 60).
# target:  run only these targets (default: all, from `cargo fuzz list`).
#
# Needs a nightly toolchain (cargo-fuzz builds with -Zsanitizer=address);
# installs cargo-fuzz when `cargo fuzz` is missing. The parse and reparse
# corpora are seeded at run time with CEF lines from ../tests/data (when it
# exists) and a few built-in lines; fuzz/corpus is git-ignored. Logs go to
# fuzz/logs/<target>.log. Exits non-zero when any target crashed (or failed
# to build or run); the crash artifact path is printed.
set -euo pipefail

seconds="${1:-60}"
if [[ $# -gt 0 ]]; then shift; fi
if ! [[ "$seconds" =~ ^[1-9][0-9]*$ ]]; then
    echo "run.sh: seconds must be a positive integer, got '$seconds'" >&2
    exit 2
fi

fuzz_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
crate_dir="$(dirname "$fuzz_dir")"
cd "$fuzz_dir"

if [[ -d "$HOME/.cargo/bin" ]]; then
    export PATH="$HOME/.cargo/bin:$PATH"
fi
if ! command -v cargo >/dev/null 2>&1; then
    echo "run.sh: cargo not found; install Rust with rustup first" >&2
    exit 2
fi
if ! cargo +nightly --version >/dev/null 2>&1; then
    echo "run.sh: no nightly toolchain (cargo-fuzz needs one for -Zsanitizer)." >&2
    echo "        install it with: rustup toolchain install nightly" >&2
    exit 2
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "run.sh: cargo fuzz not found; installing cargo-fuzz"
    cargo install cargo-fuzz --locked
fi

targets=()
if [[ $# -gt 0 ]]; then
    targets=("$@")
else
    while IFS= read -r name; do
        [[ -n "$name" ]] && targets+=("$name")
    done < <(cargo +nightly fuzz list)
fi
if [[ ${#targets[@]} -eq 0 ]]; then
    echo "run.sh: no fuzz targets found" >&2
    exit 2
fi

# --- corpus seeds -----------------------------------------------------------

builtin_seeds=(
    '2025-06-18T21:02:36Z konghq.com CEF:0|KongInc|Konnect|1.0|konnect|Authz.control-planes|1|rt=1750280466889 src=127.0.0.6 action=list granted=true org_id=777db3e4-5cb7-4dd5-b51c-9878096a6999 user_agent= sig=KbLaBhQFnggT'
    'CEF:0|security|threatmanager|1.0|100|worm successfully stopped|10|src=10.0.0.1 dst=2.1.2.2 spt=1232'
    'CEF:1|a\|b|c\\d|1|id|n|Very-High|msg=a\=b\nc\rd\\e path=c:\tmp  trail=x  '
    '<134>Apr 14 05:39:08 host CEF:26|v|p|1|id|n|high|junk k=id==old b64=aGk= ad.field[0]=1 ad.Error_,Code=2'
    'ASM:CEF:0|v|p|1|id|n|5'
)

# Seeds of the targets that read something else than a CEF line.
prefix_seeds=(
    '2025-06-18T21:02:36Z konghq.com'
    '<134>2025-06-18T21:02:36Z konghq.com'
    'Apr  4 05:39:08 host app[12]:'
    '<13>Feb 29 23:59:59 h'
    '<134>'
    '<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3"][x a="\]"]'
    '<0>1 - - - - - -'
)
jwks_seeds=(
    '{"keys":[{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo","kid":"a","alg":"EdDSA","use":"sig"}]}'
    '{"kty":"OKP","crv":"Ed25519","d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}'
    '{"keys":[{"kty":"RSA","n":"AQAB","e":"AQAB"},{"kty":"OKP","crv":"Ed25519","x":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}]}'
)
json_seeds=(
    '{"action":"list","cef_version":"0","event_class_id":"konnect","event_product":"Konnect","event_ts":"2025-06-18T21:02:36Z","event_vendor":"KongInc","event_version":"1.0","granted":true,"name":"Authz.control-planes","org_id":"777db3e4-5cb7-4dd5-b51c-9878096a6999","principal_id":"eb999f01-5976-4f4b-9fbc-dd5d514bd675","rt":1750280466889,"severity":1,"src":"127.0.0.6","trace_id":3959872677347089807,"user_agent":"grpc-node-js/1.12.4"}'
    '{"event":{"act":"GET","cef_version":0,"event_class_id":"KongGateway","event_product":"Konnect","event_ts":"2023-04-28T20:52:09Z","event_vendor":"KongInc","event_version":"1.0","name":"Ingress","org_id":"b065b594-6afc-4658-9101-5d9cf3f36b7b","principal_id":"87655c36-8d63-48fe-9a1e-53b28dfbc19b","query":"{}","request":"/v2","rt":"1682715129807","severity":1,"src":"::1","status":"200","trace_id":"3895213347334635099","user_agent":"","x_extra":[1]}}'
)

seed_list() { # $1 = corpus dir, the rest = seeds
    local dir="$1" line
    shift
    mkdir -p "$dir"
    seed_count=0
    for line in "$@"; do
        add_seed "$dir" "$line"
    done
    echo "run.sh: seeded $dir with $seed_count new input(s)"
}

seed_count=0
add_seed() { # $1 = corpus dir, $2 = line
    local dir="$1" line="$2" sum
    [[ -n "$line" ]] || return 0
    sum="$(printf '%s' "$line" | sha1sum | cut -c1-40)"
    if [[ ! -e "$dir/seed-$sum" ]]; then
        printf '%s' "$line" >"$dir/seed-$sum"
        seed_count=$((seed_count + 1))
    fi
}

# CEF lines from ../tests/data: the `input` strings of JSON records (with
# jq), else every text line that holds `CEF:`. At most 500 per target.
data_lines() {
    local data="$crate_dir/tests/data" file
    [[ -d "$data" ]] || return 0
    while IFS= read -r -d '' file; do
        case "$file" in
            *.json | *.jsonl)
                if command -v jq >/dev/null 2>&1; then
                    jq -j 'select(type == "object") | .input? | select(type == "string") | ., "\u0000"' \
                        "$file" 2>/dev/null || true
                    continue
                fi
                ;;
        esac
        if grep -Iq . "$file" 2>/dev/null; then
            { grep -a 'CEF:' "$file" || true; } | tr '\n' '\0'
        fi
    done < <(find "$data" -type f -print0 | sort -z)
}

seed_corpus() { # $1 = target
    local dir="corpus/$1" line n=0
    mkdir -p "$dir"
    seed_count=0
    for line in "${builtin_seeds[@]}"; do
        add_seed "$dir" "$line"
    done
    while IFS= read -r -d '' line; do
        add_seed "$dir" "$line"
        n=$((n + 1))
        [[ $n -lt 500 ]] || break
    done < <(data_lines)
    echo "run.sh: seeded corpus/$1 with $seed_count new line(s)"
}

# --- run --------------------------------------------------------------------

mkdir -p logs
declare -A status runs secs execs cov artifact
failed=0

for target in "${targets[@]}"; do
    case "$target" in
        parse | reparse) seed_corpus "$target" ;;
        prefix) seed_list "corpus/prefix" "${prefix_seeds[@]}" ;;
        jwks) seed_list "corpus/jwks" "${jwks_seeds[@]}" ;;
        konnect_json) seed_list "corpus/konnect_json" "${json_seeds[@]}" ;;
        syslog)
            # The logger captures (datagrams and streams) and a few framings.
            mkdir -p corpus/syslog
            for f in "$crate_dir"/tests/data/syslog/*.bin; do
                if [[ -e "$f" ]]; then cp "$f" "corpus/syslog/seed-$(basename "$f" .bin)"; fi
            done
            printf '5 <1>a\n<2>b\r\n\n0junk\n99999 <3>\n<110>1 - - - - - [x a="\\]"] \xef\xbb\xbfCEF:0|a' >corpus/syslog/seed-mixed
            ;;
        body)
            # A plain body and gzipped ones (one member, two members).
            mkdir -p corpus/body
            printf 'CEF:0|a|b|c|d|e|1|x=1\r\n\r\n{"a":1}\n' >corpus/body/seed-plain
            if command -v gzip >/dev/null 2>&1; then
                printf 'CEF:0|a|b|c|d|e|1|x=1\n{"a":1}\n' | gzip -c >corpus/body/seed-gzip
                { printf 'one\n' | gzip -c; printf 'two\r\n' | gzip -c; } >corpus/body/seed-two
            fi
            ;;
    esac
    log="logs/$target.log"
    echo "run.sh: fuzzing $target for ${seconds}s (log: fuzz/$log)"
    rm -f fuzz-*.log
    set +e
    # -jobs=1: libFuzzer runs the fuzzing in one child process writing
    # fuzz-0.log and copies that log to stderr when the child ends.
    # -timeout=20: an input that takes 20 s is a hang, not a slow run.
    cargo +nightly fuzz run "$target" -- \
        -max_total_time="$seconds" -jobs=1 -timeout=20 >"$log" 2>&1
    rc=$?
    set -e
    # The child's own log holds the same text; keep only ours.
    rm -f fuzz-*.log

    done_line="$(grep -aE '^#[0-9]+[[:space:]]+DONE' "$log" | tail -n 1 || true)"
    runs_line="$(grep -aE '^Done [0-9]+ runs in [0-9]+ second' "$log" | tail -n 1 || true)"
    last_stat="$(grep -aoE '^#[0-9]+' "$log" | tail -n 1 || true)"
    found="$(grep -aoE 'Test unit written to [^ ]+' "$log" | tail -n 1 | sed 's/^Test unit written to //' || true)"

    r="${runs_line#Done }"; r="${r%% runs*}"
    s="${runs_line#* runs in }"; s="${s%% second*}"
    [[ -n "$runs_line" ]] || { r="${last_stat#\#}"; s="-"; }
    e="$(sed -nE 's/.*exec\/s: ([0-9]+).*/\1/p' <<<"$done_line")"
    c="$(sed -nE 's/.* cov: ([0-9]+).*/\1/p' <<<"$done_line")"

    runs[$target]="${r:--}"
    secs[$target]="${s:--}"
    execs[$target]="${e:--}"
    cov[$target]="${c:--}"
    artifact[$target]="$found"
    if [[ $rc -eq 0 ]]; then
        status[$target]="ok"
        echo "run.sh: $target: ${done_line:-no DONE line} / ${runs_line:-no Done line}"
    else
        failed=1
        if [[ -n "$found" ]]; then status[$target]="CRASH"; else status[$target]="FAILED"; fi
        echo "run.sh: $target exited with $rc; last lines of fuzz/$log:" >&2
        tail -n 40 "$log" >&2
        if [[ -n "$found" ]]; then
            echo "run.sh: $target crash artifact: $found" >&2
            echo "run.sh: reproduce: (cd fuzz && cargo +nightly fuzz run $target $found)" >&2
            echo "run.sh: minimize:  (cd fuzz && cargo +nightly fuzz tmin $target $found)" >&2
        fi
    fi
done

echo
printf '%-12s %-7s %12s %8s %10s %8s  %s\n' target status runs seconds exec/s cov artifact
for target in "${targets[@]}"; do
    printf '%-12s %-7s %12s %8s %10s %8s  %s\n' "$target" "${status[$target]}" "${runs[$target]}" \
        "${secs[$target]}" "${execs[$target]}" "${cov[$target]}" "${artifact[$target]:--}"
done

if [[ $failed -ne 0 ]]; then
    echo "run.sh: at least one target crashed or failed" >&2
    exit 1
fi
