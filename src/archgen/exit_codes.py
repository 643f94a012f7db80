"""Exit codes (docs/architecture.md): 0 clean, 1 findings, 2 usage/config/internal error."""

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_ERROR = 2
