#!/usr/bin/env bash
# Installs what compat/e2e/streaming's node test needs: node and npm
# (Debian's nodejs and npm when node is missing), then the npm packages
# pinned by compat/e2e/streaming/package-lock.json (@aws-sdk/client-s3), with
# `npm ci` into compat/e2e/streaming/node_modules (git-ignored), using
# $CACHE/npm as npm's cache; skipped when node_modules was installed from the
# same lock.
#
# Usage (from anywhere): CACHE=~/.cache/sigv4kit bash compat/scripts/streaming-setup.sh
# `make e2e` runs it before compat/scripts/e2e.sh. Installing Debian packages
# needs root; without it the script says what is missing and fails.
set -euo pipefail

CACHE=${CACHE:-$HOME/.cache/sigv4kit}
DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/../e2e/streaming" && pwd)

apt_install() {
	if [[ $(id -u) != 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
		echo "streaming-setup: $* missing, and apt-get cannot run here (not root or no apt); install it by hand" >&2
		exit 1
	fi
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	echo "streaming-setup: apt-get install $*" >&2
	apt-get install -y -qq "$@" >/dev/null
}

if ! command -v node >/dev/null 2>&1; then
	apt_install nodejs npm
elif ! command -v npm >/dev/null 2>&1; then
	apt_install npm
fi

stamp=$DIR/node_modules/.sigv4kit-lock
want=$(cat "$DIR/package.json" "$DIR/package-lock.json" | sha256sum | cut -d' ' -f1)
if [[ -f $stamp && $(cat "$stamp") == "$want" && -f $DIR/node_modules/@aws-sdk/client-s3/package.json ]]; then
	echo "streaming-setup: node_modules is current ($(node --version))" >&2
	exit 0
fi
mkdir -p "$CACHE/npm"
echo "streaming-setup: npm ci in compat/e2e/streaming ($(node --version), npm $(npm --version))" >&2
(cd "$DIR" && npm ci --no-audit --no-fund --prefer-offline --cache "$CACHE/npm" >/dev/null)
echo "$want" >"$stamp"
