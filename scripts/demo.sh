#!/usr/bin/env bash
# The README's main job on a fresh machine: install archgen (and graphviz, which
# draws the PNG/SVG diagrams), then validate the e-commerce blueprint, generate
# its specs, services, deployment, diagrams and architecture document into
# out/ecommerce/, and run the whole system once: `archgen up --smoke` starts it
# on this machine, drives an order to `shipped` through the gateway, and stops.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v dot >/dev/null; then
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  echo "== apt-get install graphviz"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends graphviz >/dev/null
fi

echo "== pip install '.[run]'"
python3 -m pip install --quiet --disable-pip-version-check '.[run]'

echo "== archgen validate blueprints/ecommerce/catalog.yaml"
archgen validate blueprints/ecommerce/catalog.yaml
echo "== archgen generate blueprints/ecommerce/catalog.yaml -o out/ecommerce"
archgen generate blueprints/ecommerce/catalog.yaml -o out/ecommerce
echo "== archgen up blueprints/ecommerce/catalog.yaml -o out/ecommerce --embedded memory --smoke"
archgen up blueprints/ecommerce/catalog.yaml -o out/ecommerce --embedded memory --smoke --quiet
echo "Open out/ecommerce/docs/index.html; the specs are in out/ecommerce/openapi/ and out/ecommerce/asyncapi.yaml."
echo "Run the system: archgen up blueprints/ecommerce/catalog.yaml -o out/ecommerce --embedded memory"
