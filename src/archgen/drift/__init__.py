"""`archgen drift`: the running system held against its catalog.

What a running system serves, calls, consumes and runs with is observed
(`archgen.drift.observe`: served OpenAPI documents, the services' per-caller
request counters, the broker's topics, groups and recent messages, a
Kubernetes namespace's workloads) and compared with what the catalog
declares, one check per family: APIs, calls, events, deployment. Findings
carry AGXxxx codes (`archgen.drift.codes`), numbered like `archgen diff`'s
AGD codes for the same contract, and go through validate's suppressions and
reporters.

Nothing is imported here: `archgen.rules` reads the codes' documentation
without loading the checks.
"""
