#!/usr/bin/env bash
# Install everything the tests need, then lint, type-check and test.
# The one test command of the README; CI (.ci/run) calls it.
set -euo pipefail
cd "$(dirname "$0")/.."

python3 -m pip install --quiet --disable-pip-version-check -e '.[dev]'

echo "== ruff"
python3 -m ruff check src tests bench
echo "== mypy --strict src"
python3 -m mypy --strict src
echo "== pytest"
python3 -m pytest "$@"
