"""grepp.pathways."""
