"""Benchmarks that measure Countersign against the raw limit in the same run."""
