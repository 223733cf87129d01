"""`sectorwise lmi ...` commands, one module per topic; each exposes ``register(app)``."""

COMMAND_MODULES = ("ingest", "estimate", "measures", "regions", "clusters", "occupations", "rank", "fetch")

#: Each command's module and one-line help, so that `sectorwise lmi --help` imports none of them.
COMMAND_HELP: dict[str, tuple[str, str]] = {
    "ingest": (
        "ingest",
        "Load BLS QCEW CSV files into the warehouse (all or nothing; a period loaded again replaces it).",
    ),
    "estimate": (
        "estimate",
        "Estimate BLS's suppressed cells from the published cells' adding-up constraints and store them.",
    ),
    "measures": (
        "measures",
        "Employment, establishments, wages, LQs and over-the-year change, with BLS's column names.",
    ),
    "growth": (
        "measures",
        "Compound annual growth rate of employment (or another figure) between two years.",
    ),
    "shiftshare": (
        "measures",
        "Shift-share of an area or region between two periods: classic and Esteban-Marquillas components.",
    ),
    "regions": (
        "regions",
        "Labor-market regions: delineate commuting zones from flows, load published delineations, compare.",
    ),
    "clusters": (
        "clusters",
        "U.S. Cluster Mapping Project benchmark clusters: definitions, a region's clusters, strong clusters.",
    ),
    "occupations": (
        "occupations",
        "Estimated jobs by occupation in a region's target industries (national staffing patterns x regional "
        "industry employment), with the occupations' wages in the region's state or metro area.",
    ),
    "rank": (
        "rank",
        "Rank a region's industries (or clusters) by size, LQ, growth, competitive effect, wages, cluster "
        "strength and occupation wages; lists what is not ranked and why, and how the top ten moves with the "
        "weights.",
    ),
    "assessment": (
        "rank",
        "Write the industry assessment of a region (HTML or Excel): the region and its containment, the "
        "ranked industries with their evidence, top occupations with wages, sources and vintages, a chart "
        "and a map.",
    ),
    "fetch": (
        "fetch",
        "Download official data (BLS, Census, LEHD) into the cache in the data directory, then load it.",
    ),
}
