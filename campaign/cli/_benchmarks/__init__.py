"""Benchmarks that print figures beside a reference measured in the same run."""
