#!/usr/bin/env bash
# The diff mode of action.yml: `archgen diff --against BASE` for the pull request's catalogs.
#
# Like action-validate.sh: GitHub annotations on stdout, SARIF in a file, the exit
# code recorded as a step output (the SARIF upload must still run on exit 1); a
# usage or configuration error (exit 2) fails the step at once.
#
# Inputs come from the environment (the action maps its inputs onto these):
#   ARCHGEN_ACTION_CATALOGS  catalog files, space-separated (default: catalog.yaml)
#   ARCHGEN_ACTION_AGAINST   git ref of the old catalogs (default: origin/$GITHUB_BASE_REF,
#                            the pull request's base, fetched when the checkout lacks it)
#   ARCHGEN_ACTION_SARIF     SARIF file to write (default: archgen.sarif)
#   ARCHGEN_ACTION_FAIL_ON   error (breaking) | warning | info | none (default: error)
#   ARCHGEN_ACTION_ARGS      extra arguments for `archgen diff`, space-separated
#   ARCHGEN_ACTION_COMMAND   how to run archgen (default: archgen)
set -euo pipefail

read -r -a catalogs <<< "${ARCHGEN_ACTION_CATALOGS:-catalog.yaml}"
read -r -a extra <<< "${ARCHGEN_ACTION_ARGS:-}"
read -r -a command <<< "${ARCHGEN_ACTION_COMMAND:-archgen}"
sarif="${ARCHGEN_ACTION_SARIF:-archgen.sarif}"
fail_on="${ARCHGEN_ACTION_FAIL_ON:-error}"
outputs="${GITHUB_OUTPUT:-/dev/null}"
against="${ARCHGEN_ACTION_AGAINST:-}"

if [[ -z "$against" ]]; then
    if [[ -z "${GITHUB_BASE_REF:-}" ]]; then
        echo "::error::archgen diff needs a base ref: set the action's 'against' input" \
             "(GITHUB_BASE_REF is only set on pull requests)"
        echo "exit-code=2" >> "$outputs"
        exit 2
    fi
    against="origin/$GITHUB_BASE_REF"
    # actions/checkout fetches one commit by default: fetch the base branch's tip too.
    if ! git rev-parse --verify --quiet "$against^{commit}" > /dev/null; then
        git fetch --no-tags --depth=1 origin \
            "+refs/heads/$GITHUB_BASE_REF:refs/remotes/origin/$GITHUB_BASE_REF"
    fi
fi

summary_file="$(mktemp)"
trap 'rm -f "$summary_file"' EXIT
rm -f "$sarif"  # never upload a stale log from an earlier run
set +e
# Removals sit at their parent in the new catalog: annotations need a file of the pull request.
"${command[@]}" diff --against "$against" --removals-in-new --format github --fail-on "$fail_on" \
    --report "sarif=$sarif" --report "text=$summary_file" "${extra[@]}" "${catalogs[@]}"
code=$?
set -e

echo "exit-code=$code" >> "$outputs"
if [[ -f "$sarif" ]]; then
    echo "sarif-file=$sarif" >> "$outputs"
fi
if [[ -n "${GITHUB_STEP_SUMMARY:-}" && -s "$summary_file" ]]; then
    { echo "### archgen diff against $against"; echo '```'; cat "$summary_file"; echo '```'; } \
        >> "$GITHUB_STEP_SUMMARY"
fi
if (( code >= 2 )); then
    echo "::error::archgen diff stopped with exit code $code (usage, configuration or internal error)"
    exit "$code"
fi
exit 0
