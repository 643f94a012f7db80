#!/usr/bin/env bash
# Install everything the tests need, then lint, type-check and test.
# The README's test command; CI (.ci/run) calls it. Safe to rerun: each
# install step is skipped when its tool is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

apt_install() {
  local sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

missing=()
command -v dot >/dev/null || missing+=(graphviz)            # diagrams (PNG/SVG)
command -v chromium >/dev/null || missing+=(chromium)       # the HTML report test
command -v wrk >/dev/null || missing+=(wrk)                 # archgen loadtest
command -v promtool >/dev/null || missing+=(prometheus)     # SLO rules (promtool check rules)
if [ ${#missing[@]} -gt 0 ]; then
  echo "== apt-get install ${missing[*]}"
  apt_install "${missing[@]}"
fi

python_before="$(command -v python3)"
echo "== pip install -e .[dev]"
python3 -m pip install --quiet --disable-pip-version-check -e '.[dev]'

# checkov pins networkx<2.7 (archgen needs >=3.2): it gets a virtualenv of its own.
# Its folder goes at the END of PATH: first, its python3 would shadow the one that
# has archgen, ruff and mypy, and every later step would run in checkov's venv.
if ! command -v checkov >/dev/null; then
  echo "== checkov (own virtualenv .venv-checkov)"
  [ -x .venv-checkov/bin/checkov ] || {
    python3 -m venv .venv-checkov
    .venv-checkov/bin/pip install --quiet --disable-pip-version-check 'checkov>=3.2'
  }
  export PATH="$PATH:$PWD/.venv-checkov/bin"
fi

# Every later step must still run the Python that has archgen, ruff and mypy.
if [ "$(command -v python3)" != "$python_before" ]; then
  echo "scripts/test.sh: python3 changed to $(command -v python3) during the installs" >&2
  exit 1
fi

if [ -f package.json ]; then
  echo "== npm install (spec and custom-resource validators run by the tests)"
  npm ci --no-audit --no-fund --silent
fi

echo "== ruff"
python3 -m ruff check src tests bench
echo "== mypy --strict src bench"
python3 -m mypy --strict src bench
# In parallel (pytest-xdist). Under CI=true every test runs, slow ones included, and a
# missing validator (AsyncAPI, SARIF) fails instead of skipping (tests/tools.py).
echo "== pytest"
python3 -m pytest -n auto "$@"
