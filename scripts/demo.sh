#!/usr/bin/env bash
# The README's main job on a fresh machine: install archgen (and graphviz, which
# draws the PNG/SVG diagrams), then validate the e-commerce blueprint and
# generate its specs, diagrams and architecture document into out/ecommerce/.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v dot >/dev/null; then
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  echo "== apt-get install graphviz"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends graphviz >/dev/null
fi

echo "== pip install ."
python3 -m pip install --quiet --disable-pip-version-check .

echo "== archgen validate blueprints/ecommerce/catalog.yaml"
archgen validate blueprints/ecommerce/catalog.yaml
echo "== archgen generate blueprints/ecommerce/catalog.yaml -o out/ecommerce"
archgen generate blueprints/ecommerce/catalog.yaml -o out/ecommerce
echo "Open out/ecommerce/docs/index.html; the specs are in out/ecommerce/openapi/ and out/ecommerce/asyncapi.yaml."
