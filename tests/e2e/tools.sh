#!/usr/bin/env bash
# Installs what the end-to-end tests of `cef receive`, `cef send` and
# `cef relay` run beside the tool, when the machine lacks it: curl and gzip
# (the README's example, as a user types it) and openssl (a certificate for
# the HTTPS test). Debian packages, through apt-get.
set -euo pipefail
missing=()
for tool in curl gzip openssl; do
    command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi
echo "installing ${missing[*]} for the end-to-end tests"
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
