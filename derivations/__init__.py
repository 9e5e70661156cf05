"""The catalog of derivations: every example and exercise of the chapter *Mathematical
Foundations for Deep Learning*, one module per part, each a list ``ENTRIES`` of declarative
:class:`symnum.chapter.entry.Derivation` objects. ``symnum catalog`` lists them and
``symnum catalog --verify`` derives, verifies and studies every one.

The folder sits at the top of the repository but installs inside symnum, as
``symnum.derivations`` (``package-dir`` in ``pyproject.toml``): ``import symnum.derivations``.
"""
