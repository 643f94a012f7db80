#!/usr/bin/env bash
# Rewrite the key reference of docs/catalog-format.md from `archgen schema --markdown`
# (tests/test_schema.py fails until the two agree).
set -euo pipefail
cd "$(dirname "$0")/.."
doc=docs/catalog-format.md
begin='<!-- BEGIN archgen schema --markdown -->'
end='<!-- END archgen schema --markdown -->'
tmp="$(mktemp "$doc.XXXXXX")"
{
  sed "/^$begin\$/q" "$doc"
  echo
  python3 -m archgen schema --markdown
  echo
  sed -n "/^$end\$/,\$p" "$doc"
} > "$tmp"
mv "$tmp" "$doc"
