"""grepp.enrich."""
