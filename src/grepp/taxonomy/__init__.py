"""grepp.taxonomy."""
