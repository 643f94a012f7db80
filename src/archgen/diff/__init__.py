"""`archgen diff`: the breaking-change gate for a whole system, with the parties it breaks.

Both catalogs are loaded and resolved; one check per contract family
(endpoints, models and fields, events and topics, services and SLAs, the
gateway) compares them and reports located findings with AGDxxx codes
(`archgen.diff.codes`). Findings, suppressions and reporters are validate's.

Nothing is imported here: `archgen.rules` reads the codes' documentation
without loading the checks. Run a diff with `archgen.diff.engine`
(`run_diff`, `diff_catalogs`).
"""
