"""A grading worker: ``python -m symnum.batch.worker SECONDS MEMORY`` loads SymPy and symnum,
grades one answer as a warm-up, writes ``ready``, then reads jobs as JSON lines on stdin and
writes each one's row as a JSON line on stdout, each graded under its own limits in this
process's main thread (where SIGALRM can fire). It ends when stdin closes, or after an answer
that ran out of memory (the runner starts a fresh one). The runner (:mod:`.runner`) kills it
when an answer passes its time limit plus a grace, as native code may not return.
"""

from __future__ import annotations

import json
import signal
import sys

from ..edge.limits import read_size
from .jobs import GradeLimits, Job, grade
from .tables import KeyRow

READY = "ready"


def warm_up(limits: GradeLimits) -> None:
    """Grade one small answer: the lazy imports and caches of ``check`` are loaded before
    the first real answer's clock starts."""
    grade(Job("-", "-", "2*x*cos(x**2)", KeyRow("-", "sin(x**2)", "x")), limits)


def serve(limits: GradeLimits, stdin=None, stdout=None) -> None:
    """Answer jobs until stdin closes."""
    stdin, stdout = stdin or sys.stdin, stdout or sys.stdout
    warm_up(limits)
    print(READY, file=stdout, flush=True)
    for line in stdin:
        if not line.strip():
            continue
        data = json.loads(line)
        if "kind" in data:  # another batch's job (verify --batch, catalog: .tasks)
            from .tasks import perform
            record, ended = perform(data, limits)
        else:
            row = grade(Job.from_dict(data), limits)
            record, ended = row.record(), row.hint == limits.memory_message()
        stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
        stdout.flush()
        if ended:
            return  # what the job took may not all come back: a fresh worker for the next


def main(argv: list[str]) -> None:
    """``SECONDS MEMORY`` (``off`` for none)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the runner, which stops us
    seconds = None if argv[0] == "off" else float(argv[0])
    serve(GradeLimits(seconds, read_size(argv[1])))


if __name__ == "__main__":
    main(sys.argv[1:])
