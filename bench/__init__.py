"""grepp's benchmarks: speed, memory and model quality, written to docs/benchmarks/ (never pass/fail)."""
