"""Imported once, by the process that forks the workers (see :mod:`symnum.web.pool`, which sets
``SYMNUM_WARM_WORKERS``): it runs one small job of each kind so that the lazy imports and caches
every worker needs are made once, before the fork, and a new worker answers its first request
as fast as its hundredth. Imported elsewhere, it does nothing.

>>> WARM_JOBS[0][0]
'derive'
"""

from __future__ import annotations

import os

from ..analysis.plot import Descent
from ..service import CheckRequest, DeriveRequest, ParseRequest, PlotRequest, VerifyRequest
from ..verification.jax_method import OFF as NO_JAX
from .jobs import execute

ENVIRONMENT = "SYMNUM_WARM_WORKERS"

WARM_JOBS = [
    ("derive", DeriveRequest("x**2*sin(y) + exp(x*y)", at="x=1,y=2", steps="tree")),
    ("graph", DeriveRequest("log(1 + exp(x))", steps="graph")),
    ("derive", DeriveRequest("x**3*y - y**2", what="hessian")),
    ("derive", DeriveRequest("x.T*A*x", wrt="x", shapes=("x=n", "A=n,n"), steps="tree")),
    ("verify", VerifyRequest("sin(x)*y", points=1)),
    ("check", CheckRequest("3*x", of="x**3")),
    ("parse", ParseRequest(r"\frac{1}{1+e^{-x}}", syntax="latex")),
    ("plot", PlotRequest("x**2 + y**2", descent=Descent(0.1, (1.0, 1.0), 2), surface=False)),
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
