"""Trust and scale: bad input, crashes, re-runs, concurrent use, a Dask cluster."""
