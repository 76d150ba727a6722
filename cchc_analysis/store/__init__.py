"""The DuckDB store: every month ingested (all versions kept), the letters recorded as issued, self-assessed
scores and dossier counts; its schema, its locks, and a failed write leaving it as it was."""
