"""grepp.cli."""
