"""`sectorwise lmi ...` commands, one module per topic; each exposes ``register(app)``."""

COMMAND_MODULES = ("ingest", "estimate", "measures", "regions", "clusters", "occupations", "rank", "fetch")
