"""Many requests in bulk: answers and keys read from tables, each graded under its own time
and memory limit on local worker processes or a Dask cluster, the results kept in a file that
a rerun resumes, then summarised. Above the process edges' limits (:mod:`symnum.edge`), under
the shells (``symnum grade`` parses and calls it). ``tables`` (ANSWERS and KEY read and
checked), ``jobs`` (one answer graded → a ``Row``), ``worker`` (a grading process), ``runner``
(local processes or Dask), ``store`` (the resumable results file), ``progress``, ``grading``
(the whole run), ``summary`` (per question and per student, as data and text), ``report``
(the HTML page).
"""

from .grading import Graded, grade_files, jobs_of
from .jobs import VERDICTS, GradeLimits, Job, Row, grade
from .report import write_report
from .runner import Pool, run
from .store import Store
from .summary import Summary, summary
from .tables import Answer, BatchInputError, KeyRow, Points, read_answers, read_key

__all__ = ["VERDICTS", "Answer", "BatchInputError", "GradeLimits", "Graded", "Job", "KeyRow",
           "Points", "Pool", "Row", "Store", "Summary", "grade", "grade_files", "jobs_of",
           "read_answers", "read_key", "run", "summary", "write_report"]
