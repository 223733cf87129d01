"""The surveys app's records."""
