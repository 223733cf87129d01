"""People and organisations: the records every other app points to (below accounts and partnerships)."""
