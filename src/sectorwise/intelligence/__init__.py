"""Intelligence: the web face of sectorwise.lmi (region explorer, ranking, industry assessment)."""
