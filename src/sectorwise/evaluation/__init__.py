"""Pure statistics for outcome evaluation (no Django)."""
