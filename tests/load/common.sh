# What the wrk load scripts (http.sh, dedup.sh) share; sourced from the
# repository's root after `set -euo pipefail`.
#
# Pinning: wrk on core PIN_LOAD (0), cef on core PIN_CEF (1); set either to
# empty to run that side unpinned.
pin_load=${PIN_LOAD-0}
pin_cef=${PIN_CEF-1}
on_load() { if [ -n "$pin_load" ]; then taskset -c "$pin_load" "$@"; else "$@"; fi; }
on_cef() { if [ -n "$pin_cef" ]; then taskset -c "$pin_cef" "$@"; else "$@"; fi; }

# wrk and GNU time, from Debian's packages when missing.
install_load_tools() {
    local missing=()
    command -v wrk >/dev/null 2>&1 || missing+=(wrk)
    [ -x /usr/bin/time ] || missing+=(time)
    if [ ${#missing[@]} -gt 0 ]; then
        local sudo=""
        if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
        $sudo apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
    fi
}

# COUNT of Kong's documented authorization entries, one per line, their
# trace ids counting up; dated now with `now` (as Konnect's are), else at
# Kong's documented time.
konnect_entries() {
    python3 - "$@" <<'PY'
import datetime, sys
count, when = int(sys.argv[1]), sys.argv[2:] == ["now"]
time = (datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        if when else "2025-06-18T21:02:36Z")
for i in range(count):
    print(time + " konghq.com CEF:0|KongInc|Konnect|1.0|konnect|Authz.control-planes|1|"
          "rt=1750280466889 src=127.0.0.6 action=list granted=true org_id=777db3e4-5cb7-4dd5-b51c-9878096a6999 "
          "principal_id=eb999f01-5976-4f4b-9fbc-dd5d514bd675 trace_id=%d user_agent=grpc-node-js/1.12.4"
          % (3959872677347089807 + i))
PY
}

# Splits signed.cef into gzipped batches of 100 under b/ (DIGITS-digit
# names) and writes post.lua, which has wrk POST them in turn with the
# Authorization `Bearer load`.
gzipped_batches() {
    local digits=$1
    mkdir b && split -l 100 -d -a "$digits" signed.cef b/
    for f in b/*; do gzip -c "$f" > "$f.gz"; done
    local batches
    batches=$(ls b/*.gz | wc -l)
    cat > post.lua <<LUA
-- POST the $batches gzipped batches in turn.
local bodies, i = {}, 0
for n = 0, $((batches - 1)) do
  local f = io.open(string.format("b/%0${digits}d.gz", n), "rb")
  if f then bodies[#bodies + 1] = f:read("*all"); f:close() end
end
wrk.method = "POST"
wrk.headers["Authorization"] = "Bearer load"
wrk.headers["Content-Encoding"] = "gzip"
request = function()
  i = i % #bodies + 1
  return wrk.format(nil, "/", nil, bodies[i])
end
LUA
}

# A free TCP port on 127.0.0.1.
free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
