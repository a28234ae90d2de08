"""grepp.web: pages for people (French). The dashboard comes with the API issue; for now the demo report."""
