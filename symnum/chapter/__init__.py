"""The chapter: the catalog of derivations, their studies and figures, the report, the demo.

``entry`` (:class:`Derivation`, one entry as data), ``catalog`` (the entries of
``symnum.derivations``, the folder ``derivations/``, run and verified), ``studies`` (with their
``findings``: words and mathematics), ``figures``, ``document`` (the LaTeX report), ``demo``.
Sits on the public API; nothing imports it but the command line and the catalog's own data.
Submodules are imported where used (they load matplotlib).
"""

__all__ = ["entry", "catalog", "studies", "findings", "figures", "document", "demo"]
