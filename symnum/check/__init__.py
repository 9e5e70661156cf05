"""Check: is a claimed formula the derivative? A proof either way, or evidence and a hint.

``claim`` (the entry), ``compare`` (proof and evidence), ``points`` (where to look: scales
and both sides of every kink), ``diagnose`` (classic mistakes), ``matrix`` (claims in matrix
notation), ``text`` (what the command line prints).
"""

from .claim import check_claim
from .compare import ClaimCheck

__all__ = ["check_claim", "ClaimCheck"]
