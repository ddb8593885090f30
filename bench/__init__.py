"""Benchmarks (``python -m core bench``) and the browser harness they share with the tests."""
