"""Many requests in bulk: answers and keys read from tables, each graded under its own time
and memory limit on local worker processes or a Dask cluster, the results kept in a file that
a rerun resumes, then summarised. Above the process edges' limits (:mod:`symnum.edge`), under
the shells (``symnum grade`` parses and calls it).
"""

__all__ = []  # filled as the modules land
