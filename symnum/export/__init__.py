"""Export: an exact result as one standalone Python module (numpy, torch or JAX).

``export_source`` writes the module's text (:mod:`symnum.export.module`); the code of its
function comes from the kernel's program (:mod:`symnum.kernels.source`), its argument
handling and result assembly from :mod:`symnum.export.assembly`.
"""

from .module import export_source

__all__ = ["export_source"]
