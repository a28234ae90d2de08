"""grepp.sources."""
