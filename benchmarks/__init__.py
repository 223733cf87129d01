"""Reproducible benchmarks: `make bench` (``python -m benchmarks``) runs them and writes benchmarks/out/."""
