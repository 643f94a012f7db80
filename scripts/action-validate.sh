#!/usr/bin/env bash
# The shell step of action.yml, kept in a file so that a test can run it directly.
#
# Runs `archgen validate` with GitHub annotations on stdout and SARIF in a file,
# and records the exit code as a step output instead of failing here: the SARIF
# upload step must still run when there are findings (exit 1). A usage or
# configuration error (exit 2) fails the step at once.
#
# Inputs come from the environment (the action maps its inputs onto these):
#   ARCHGEN_ACTION_CATALOGS  catalog files, space-separated (default: catalog.yaml)
#   ARCHGEN_ACTION_SARIF     SARIF file to write (default: archgen.sarif)
#   ARCHGEN_ACTION_FAIL_ON   error | warning | info | none (default: error)
#   ARCHGEN_ACTION_ARGS      extra arguments for `archgen validate`, space-separated
#   ARCHGEN_ACTION_COMMAND   how to run archgen (default: archgen)
set -euo pipefail

read -r -a catalogs <<< "${ARCHGEN_ACTION_CATALOGS:-catalog.yaml}"
read -r -a extra <<< "${ARCHGEN_ACTION_ARGS:-}"
read -r -a command <<< "${ARCHGEN_ACTION_COMMAND:-archgen}"
sarif="${ARCHGEN_ACTION_SARIF:-archgen.sarif}"
fail_on="${ARCHGEN_ACTION_FAIL_ON:-error}"
outputs="${GITHUB_OUTPUT:-/dev/null}"
summary_file="$(mktemp)"
trap 'rm -f "$summary_file"' EXIT

rm -f "$sarif"  # never upload a stale log from an earlier run
set +e
"${command[@]}" validate --format github --fail-on "$fail_on" \
    --report "sarif=$sarif" --report "text=$summary_file" "${extra[@]}" "${catalogs[@]}"
code=$?
set -e

echo "exit-code=$code" >> "$outputs"
if [[ -f "$sarif" ]]; then
    echo "sarif-file=$sarif" >> "$outputs"
fi
if [[ -n "${GITHUB_STEP_SUMMARY:-}" && -s "$summary_file" ]]; then
    { echo '### archgen validate'; echo '```'; cat "$summary_file"; echo '```'; } \
        >> "$GITHUB_STEP_SUMMARY"
fi
if (( code >= 2 )); then
    echo "::error::archgen validate stopped with exit code $code (usage, configuration or internal error)"
    exit "$code"
fi
exit 0
