"""Smoke tests of the benchmark commands (they complete and report every figure; no timings)."""
