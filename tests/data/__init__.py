"""Labelled data sets built for tests and benchmarks: the near-duplicate set (``neardup_set``)."""
