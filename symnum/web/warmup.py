"""Imported once, by the process that forks the workers (see :mod:`symnum.web.pool`, which sets
``SYMNUM_WARM_WORKERS``): it runs one small job of each kind so that the lazy imports and caches
every worker needs are made once, before the fork, and a new worker answers its first request
as fast as its hundredth. Imported elsewhere, it does nothing.

>>> WARM_JOBS[0][0]
'cli'
"""

from __future__ import annotations

import os

from ..verification.jax_method import OFF as NO_JAX
from .jobs import execute

ENVIRONMENT = "SYMNUM_WARM_WORKERS"

WARM_JOBS = [
    ("cli", {"argv": ["derive", "--format=json", "--steps=tree", "--at=x=1,y=2", "--",
                      "x**2*sin(y) + exp(x*y)"]}),
    ("cli", {"argv": ["derive", "--format=json", "--steps=graph", "--", "log(1 + exp(x))"]}),
    ("cli", {"argv": ["derive", "--format=json", "--what=hessian", "--", "x**3*y - y**2"]}),
    ("cli", {"argv": ["derive", "--format=json", "--steps=tree", "--wrt=x", "--shape=x=n",
                      "--shape=A=n,n", "--", "x.T*A*x"]}),
    ("cli", {"argv": ["verify", "--format=json", "--points=1", "--", "sin(x)*y"]}),
    ("cli", {"argv": ["check", "--format=json", "--of=x**3", "--", "3*x"]}),
    ("parse", {"expr": r"\frac{1}{1+e^{-x}}", "from": "latex"}),
    ("plot", {"expr": "x**2 + y**2", "start": "1,1", "iters": "2"}),
]


def warm() -> None:
    """Run every warm-up job (errors are ignored: a worker recomputes what it needs).

    JAX stays out of this process: once used it runs threads, and a child forked from a
    process with JAX's threads can deadlock on its first JAX call (a worker's verification
    hung until its time limit). Each worker imports JAX itself when it first verifies."""
    before = os.environ.get(NO_JAX)
    os.environ[NO_JAX] = "1"
    try:
        for kind, payload in WARM_JOBS:
            execute(kind, payload)
    finally:
        if before is None:
            del os.environ[NO_JAX]
        else:
            os.environ[NO_JAX] = before


if os.environ.get(ENVIRONMENT) == "1":  # the forking server imports this module to run it
    warm()
