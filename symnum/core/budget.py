"""Work budgets for heuristics that can run away (``sympy.simplify`` on a medium expression),
counted in SymPy objects built, never in seconds: the same input gets the same result under
any load, and no signal or timer is involved (time and memory limits are the business of the
process edges: :mod:`symnum.edge.limits`, set by the CLI and the web workers).

Exact results never depend on a budget: when one runs out, the caller keeps the form it
already has. About 25,000 objects are built per CPU second of ``simplify``.

>>> import sympy
>>> with work_budget(10**6) as ran_out:
...     _ = sympy.simplify(sympy.sympify("x*y + x*z"))
>>> ran_out()
False
>>> with work_budget(10) as ran_out:
...     _ = sympy.simplify(sympy.sympify("sin(x)**2 + cos(x)**2 + tanh(y)"))
>>> ran_out()
True
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sympy.core.basic import Basic


class BudgetExceeded(BaseException):
    """Raised inside the guarded block when its budget is spent (caught by
    :func:`work_budget`). A BaseException, like KeyboardInterrupt: library code that catches
    ``Exception`` (SymPy does, inside simplify) must not swallow it and run on."""


class Meter:
    """Objects built so far in one guarded block (``spent``), how many it may build
    (``limit``); calling it tells whether the block ran out."""

    def __init__(self, limit: int) -> None:
        self.limit, self.spent, self.expired = limit, 0, False

    def __call__(self) -> bool:
        return self.expired


_ACTIVE: list[Meter] = []  # the budgets of the blocks now running, outermost first


def _constructors() -> list[tuple[type, str]]:
    """What counts as one unit of work: a SymPy object built, or a polynomial built by the
    polys' arithmetic (factor, gcd, cancel work on these, not on SymPy objects)."""
    from sympy.polys.polyclasses import ANP, DMP_Python
    from sympy.polys.rings import PolyElement
    found: list[tuple[type, str]] = [(Basic, "__new__"), (DMP_Python, "_new"), (ANP, "new"),
                                     (PolyElement, "new")]
    try:
        from sympy.polys.polyclasses import DUP_Flint
        found.append((DUP_Flint, "_new"))
    except ImportError:  # python-flint is optional
        pass
    return found


def _spend() -> None:
    for meter in _ACTIVE:
        meter.spent += 1
        if meter.spent > meter.limit:
            raise BudgetExceeded(meter)


def _counting(original: Any) -> Any:
    """``original`` (a staticmethod, classmethod or function) that spends one unit first."""
    if isinstance(original, staticmethod):
        inner = original.__func__
        return staticmethod(lambda *args, **kwargs: (_spend(), inner(*args, **kwargs))[1])
    if isinstance(original, classmethod):
        method = original.__func__
        return classmethod(lambda cls, *args, **kwargs: (_spend(),
                                                         method(cls, *args, **kwargs))[1])
    return lambda *args, **kwargs: (_spend(), original(*args, **kwargs))[1]


_SAVED: list[tuple[type, str, Any]] = []


def _install() -> None:
    for owner, name in _constructors():
        original = vars(owner)[name]
        _SAVED.append((owner, name, original))
        setattr(owner, name, _counting(original))


def _uninstall() -> None:
    while _SAVED:
        owner, name, original = _SAVED.pop()
        setattr(owner, name, original)


def counting() -> bool:
    """Whether a budget is counting now (work done here would be charged to it).

    >>> counting()
    False
    """
    return bool(_ACTIVE)


@contextmanager
def work_budget(objects: int) -> Iterator[Meter]:
    """Run the block while it builds at most ``objects`` SymPy objects; yields its
    :class:`Meter`, which tells whether it ran out (the block is then cut short, and its
    partial work dropped) and how much it spent."""
    meter = Meter(max(objects, 0))
    if not _ACTIVE:
        _install()
    _ACTIVE.append(meter)
    try:
        yield meter
    except BudgetExceeded as err:
        if not err.args or err.args[0] is not meter:
            raise  # an outer block's budget: it is that block's to catch
        meter.expired = True
        # The interruption may have left a half-built object in SymPy's caches (an
        # assumptions dict without a key it promised): start them afresh.
        from sympy.core.cache import clear_cache
        clear_cache()
    finally:
        _ACTIVE.remove(meter)
        if not _ACTIVE:
            _uninstall()
