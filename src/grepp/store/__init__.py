"""grepp.store."""
