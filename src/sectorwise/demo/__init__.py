"""The demo: a deterministic synthetic state in BLS's and the Census Bureau's own file layouts, loaded
through the same code paths as real data (see synthetic.py and lmi_demo.py)."""
