"""Outcomes: progress reports, participants and their outcomes (protected identifiers), employer surveys,
systems change, testimonials."""
