"""The capacity app's records."""
