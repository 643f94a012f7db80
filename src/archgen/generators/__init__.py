"""Generators and their registry (GENERATORS, keyed by the name `--only` takes)."""
