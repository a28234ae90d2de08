"""grepp.indicators."""
