"""The command line: ``symnum derive | verify | check | critical | plot | catalog | report |
demo``, a thin shell over the public API: ``app`` (arguments, limits, output), ``commands``
(one function per command), ``guard`` (time and memory limits, safe output).
"""

from .app import FORMATS, WHATS, main
from .commands import COMMANDS

__all__ = ["main", "COMMANDS", "FORMATS", "WHATS"]
