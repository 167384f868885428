#!/usr/bin/env bash
# Installs what the cross-language differential (compat/xlang) needs:
#
#   1. node and npm (Debian's nodejs and npm when node is missing);
#   2. the npm packages pinned by compat/xlang/package-lock.json
#      (@smithy/signature-v4 and what it needs), with `npm ci` into
#      compat/xlang/node_modules (git-ignored), using $CACHE/npm as npm's
#      cache; skipped when node_modules was installed from the same lock;
#   3. a Python that imports botocore: python3 on PATH (the machine image's
#      AWS CLI v1 brings botocore 1.43) or /usr/bin/python3; when neither
#      has it, Debian's python3-botocore.
#
# Usage (from anywhere): CACHE=~/.cache/sigv4kit bash compat/scripts/xlang-setup.sh
# `make compat` runs it, then the test with SIGV4_REQUIRE_XLANG=1. Installing
# Debian packages needs root; without it the script says what is missing
# and fails.
set -euo pipefail

CACHE=${CACHE:-$HOME/.cache/sigv4kit}
XLANG=$(cd "$(dirname "${BASH_SOURCE[0]}")/../xlang" && pwd)

apt_updated=0
apt_install() {
	if [[ $(id -u) != 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
		echo "xlang-setup: $* missing, and apt-get cannot run here (not root or no apt); install it by hand" >&2
		exit 1
	fi
	export DEBIAN_FRONTEND=noninteractive
	if [[ $apt_updated == 0 ]]; then
		apt-get update -qq
		apt_updated=1
	fi
	echo "xlang-setup: apt-get install $*" >&2
	apt-get install -y -qq "$@" >/dev/null
}

# 1. node and npm.
if ! command -v node >/dev/null 2>&1; then
	apt_install nodejs npm
elif ! command -v npm >/dev/null 2>&1; then
	apt_install npm
fi

# 2. The pinned npm packages.
stamp=$XLANG/node_modules/.sigv4kit-lock
want=$(cat "$XLANG/package.json" "$XLANG/package-lock.json" | sha256sum | cut -d' ' -f1)
if [[ -f $stamp && $(cat "$stamp") == "$want" && -f $XLANG/node_modules/@smithy/signature-v4/package.json ]]; then
	echo "xlang-setup: node_modules is current ($(node --version))" >&2
else
	mkdir -p "$CACHE/npm"
	echo "xlang-setup: npm ci in compat/xlang ($(node --version), npm $(npm --version))" >&2
	(cd "$XLANG" && npm ci --no-audit --no-fund --prefer-offline --cache "$CACHE/npm" >/dev/null)
	echo "$want" >"$stamp"
fi

# 3. A Python with botocore (the test looks for the same two).
for py in python3 /usr/bin/python3; do
	if command -v "$py" >/dev/null 2>&1 && "$py" -c 'import botocore' >/dev/null 2>&1; then
		echo "xlang-setup: $(command -v "$py") has botocore $("$py" -c 'import botocore; print(botocore.__version__)')" >&2
		exit 0
	fi
done
apt_install python3-botocore
/usr/bin/python3 -c 'import botocore; print("xlang-setup: /usr/bin/python3 has botocore", botocore.__version__)' >&2
