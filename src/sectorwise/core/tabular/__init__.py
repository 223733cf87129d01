"""Tabular import and export for every app: ``reader`` (bounded CSV/XLSX), ``writer`` (formula-defusing,
``sectorwise.tabular_io``), ``engine`` (``TableImporter``: header check, row errors, all-or-nothing writes
with history, the registry background jobs run by kind)."""
