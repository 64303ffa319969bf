"""Benchmarks run by hand (never by ``make test``): ``make bench-api`` (benchmarks/api.py)."""
