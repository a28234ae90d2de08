"""grepp.forecast."""
