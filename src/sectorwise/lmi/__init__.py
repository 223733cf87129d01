"""Labor-market information: a pure, lazy, typed library (no Django, ever).

Measures are Ibis expressions: DuckDB executes them by default, and the same functions run on
Spark (or any Ibis backend) unchanged. Only the CLI, the web layer and tests execute them.
"""
