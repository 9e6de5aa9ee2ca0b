"""ETL of union-press pages: read → segment → normalise → extract → load into DuckDB."""
