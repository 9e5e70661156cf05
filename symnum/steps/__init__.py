"""Step-by-step derivations: one true step per rule, for every entry of a result.

``rules`` (the rule table: one rule per function or operation, each step a true statement),
``derive`` (expression → step tree), ``render`` (text, LaTeX, Markdown, JSON) and ``build``
(``Derivation``: the trees of every entry of a result).

>>> import symnum
>>> d = derivation(symnum.derive("cos(x**3)"))
>>> d.trees[0].rules()
['chain', 'trig', 'power']
"""

from .build import Derivation, derivation
from .derive import derive_steps
from .rules import RULES, Step

__all__ = ["Derivation", "Step", "RULES", "derivation", "derive_steps"]
