"""Benchmarks of archgen against the tools users would pick instead.

`bench.synth` generates seeded synthetic catalogs; `bench.run` measures and
rewrites BENCHMARKS.md. Benchmarks are not tests: nothing here asserts a time.
"""
