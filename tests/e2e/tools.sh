#!/usr/bin/env bash
# Installs what the end-to-end tests of `cef receive`, `cef send` and
# `cef relay` run beside the tool, when the machine lacks it: curl and gzip
# (the README's example, as a user types it), openssl (a certificate for
# the TLS tests), syslog-ng (a real syslog server, and its loggen) and
# util-linux's logger (a real syslog client), python3 (the Konnect
# stand-in, tests/konnect/standin.py, standard library only), promtool
# (from prometheus: /metrics is checked), systemd-analyze and logrotate
# (the files in contrib/ are checked): Debian packages, via apt-get; and
# openapi-core from pip (tests/konnect/api_standin.py validates requests
# against Kong's OpenAPI specs with it).
set -euo pipefail
missing=()
for tool in curl gzip openssl; do
    command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
command -v syslog-ng >/dev/null 2>&1 || missing+=(syslog-ng-core)
command -v logger >/dev/null 2>&1 || missing+=(bsdutils)
command -v python3 >/dev/null 2>&1 || missing+=(python3)
command -v mount >/dev/null 2>&1 || missing+=(mount)
# promtool checks /metrics (tests/service.rs); Debian ships it with prometheus.
command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
# contrib/: the systemd unit and the logrotate rule are checked by .ci/run.
command -v systemd-analyze >/dev/null 2>&1 || missing+=(systemd)
command -v logrotate >/dev/null 2>&1 || missing+=(logrotate)
# python/ci.sh: a venv for the Python package's tests, and Java for
# Spark's local mode (pyspark itself comes from pip, into that venv).
python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || missing+=(python3-venv)
command -v java >/dev/null 2>&1 || missing+=(default-jre-headless)
if [ ${#missing[@]} -gt 0 ]; then
    echo "installing ${missing[*]} for the end-to-end tests"
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi
if ! python3 -c 'import openapi_core, werkzeug' >/dev/null 2>&1; then
    echo "installing openapi-core for the Konnect API stand-in"
    python3 -m pip install --quiet openapi-core werkzeug 2>/dev/null \
        || python3 -m pip install --quiet --break-system-packages openapi-core werkzeug
fi
