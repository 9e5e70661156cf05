"""Imported once, by the process that forks the workers (see :mod:`symnum.web.pool`, which sets
``SYMNUM_WARM_WORKERS``): it runs one small job of each kind so that the lazy imports and caches
every worker needs are made once, before the fork, and a new worker answers its first request
as fast as its hundredth. Imported elsewhere, it does nothing.

>>> WARM_JOBS[0][0]
'cli'
"""

from __future__ import annotations

import os

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
    """Run every warm-up job (errors are ignored: a worker recomputes what it needs)."""
    for kind, payload in WARM_JOBS:
        execute(kind, payload)


if os.environ.get(ENVIRONMENT) == "1":  # the forking server imports this module to run it
    warm()
