"""The tests, in three tiers (see conftest.py), and the scaffolding they and the benchmarks share."""
