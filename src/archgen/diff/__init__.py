"""`archgen diff`: the breaking-change gate for a whole system, with the parties it breaks.

Both catalogs are loaded and resolved; one check per contract family
(endpoints, models and fields, events and topics, services and SLAs, the
gateway) compares them and reports located findings with AGDxxx codes
(`archgen.rules.diff_codes`). Findings, suppressions and reporters are validate's.

Nothing is imported here: the codes' documentation lives with every other code's in
`archgen.rules`, which never imports this package. Run a diff with `archgen.diff.engine`
(`run_diff`, `diff_catalogs`).
"""
