"""The chapter: the catalog of derivations, their studies and figures, the report, the demo.

``catalog`` (entries from ``derivations/``, run and verified), ``studies`` (with their
``findings``: words and mathematics), ``figures``,
``document`` (the LaTeX report), ``demo``. Sits on the public API; nothing imports it but the
command line. Submodules are imported where used (they load matplotlib).
"""

__all__ = ["catalog", "studies", "findings", "figures", "document", "demo"]
