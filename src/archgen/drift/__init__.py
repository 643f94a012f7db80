"""`archgen drift`: the running system held against its catalog.

What a running system serves, calls, consumes and runs with is observed
(`archgen.drift.observe`: served OpenAPI documents, the services' per-caller
request counters, the broker's topics, groups and recent messages, a
Kubernetes namespace's workloads) and compared with what the catalog
declares, one check per family: APIs, calls, events, deployment. Findings
carry AGXxxx codes (`archgen.rules.drift_codes`), numbered like `archgen diff`'s
AGD codes for the same contract, and go through validate's suppressions and
reporters.

Nothing is imported here: the codes' documentation lives with every other code's in
`archgen.rules`, which never imports this package.
"""
