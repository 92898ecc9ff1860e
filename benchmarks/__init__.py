"""Measurement scripts (see README, "Benchmarks"); each prints its figures and the command that made them."""
