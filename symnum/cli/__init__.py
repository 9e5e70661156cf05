"""The command line: ``symnum derive | verify | check | critical | plot | catalog | report |
demo | serve``, a thin shell over the public API: ``app`` (limits, output), ``arguments``
(the parser, :func:`run`), ``commands`` (one function per command), ``guard`` (time and
memory limits, safe output).
"""

from .app import main
from .arguments import FORMATS, WHATS, run
from .commands import COMMANDS

__all__ = ["main", "run", "COMMANDS", "FORMATS", "WHATS"]
