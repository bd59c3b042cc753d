#!/bin/sh
# Make sure Debian's headless-capable `chromium` is installed for the HTML report browser test
# (tests/test_html_browser.py). Idempotent: does nothing when `chromium` is already on PATH. Installs with
# apt-get only when running as root on a Debian-like system; otherwise it says so and the test skips
# (or fails when CI=true).
set -eu
if command -v chromium >/dev/null 2>&1; then
    exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "ensure-chromium: installing chromium with apt-get" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    command -v chromium >/dev/null 2>&1
else
    echo "ensure-chromium: chromium is not installed and this is not root with apt-get;" \
         "the HTML browser test will be skipped (it fails when CI=true)" >&2
fi
