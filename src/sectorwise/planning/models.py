"""The planning app's records."""
