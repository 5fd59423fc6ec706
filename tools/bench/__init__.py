"""The benchmarks behind `govkg bench ...`; each prints JSON."""
