"""Sites served on loopback for the tests and benchmarks: the fault-injection server (``faults``)."""
