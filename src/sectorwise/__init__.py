"""Sectorwise: run a State Sector Strategy end to end."""

__version__ = "0.1.0"
