#!/usr/bin/env bash
# schemathesis (from PyPI) for the app's schemathesis.test.ts, pinned with all its dependencies in
# scripts/schemathesis-requirements.txt, in a virtualenv outside the repository that later runs reuse:
#   bash scripts/schemathesis.sh install   # create or update it (needs python3 >= 3.11 with venv, and PyPI)
#   bash scripts/schemathesis.sh path      # print its executable; exit 1 saying how to install it
# The virtualenv lives in $SCHEMATHESIS_VENV, else ${XDG_CACHE_HOME:-~/.cache}/valorize-infra/schemathesis-<version>.
set -euo pipefail
requirements="$(cd "$(dirname "$0")" && pwd)/schemathesis-requirements.txt"
version="$(sed -n 's/^schemathesis==//p' "$requirements")"
dir="${SCHEMATHESIS_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/valorize-infra/schemathesis-$version}"
exe="$dir/bin/schemathesis"

installed() { [ -x "$exe" ] && [ "$("$exe" --version 2>/dev/null)" = "schemathesis, version $version" ]; }
pinned() { diff -q <("$dir/bin/pip" freeze --disable-pip-version-check | sort -f) <(grep -v '^#' "$requirements" | sort -f) >/dev/null; }

case "${1:-}" in
  install)
    if installed && pinned; then echo "$exe"; exit 0; fi
    python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
      || { echo "schemathesis $version needs python3 >= 3.11; found $(python3 --version 2>&1)" >&2; exit 1; }
    python3 -m venv "$dir"
    # Every dependency is pinned in the file, so nothing else is resolved at install time.
    "$dir/bin/pip" install --quiet --disable-pip-version-check --no-deps -r "$requirements"
    "$dir/bin/pip" check --disable-pip-version-check >/dev/null
    installed || { echo "schemathesis $version did not install into $dir" >&2; exit 1; }
    echo "$exe"
    ;;
  path)
    if installed; then echo "$exe"; exit 0; fi
    echo "schemathesis $version is not installed (looked in $dir): run 'bash scripts/schemathesis.sh install'" \
      "(python3 >= 3.11 with the venv module, and PyPI); .ci/run does this before npm test" >&2
    exit 1
    ;;
  *)
    echo "usage: bash scripts/schemathesis.sh install|path" >&2
    exit 2
    ;;
esac
