"""Grants: funding sources, programs and rounds, applications, reviews, awards split across sources,
payments."""
