"""The benchmark: bench/run.py (see bench/README.md)."""
