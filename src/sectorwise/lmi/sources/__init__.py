"""Readers for the public files Sectorwise loads (BLS QCEW in ``qcew``; one module per source)."""
