"""Service mode: password-protected settings of the local node, remote nodes and storage.

The app opens it with :func:`open_service_mode` and a :class:`ServiceContext`.
"""

from workstation.ui.service.context import ServiceContext
from workstation.ui.service.entry import open_service_mode

__all__ = ["ServiceContext", "open_service_mode"]
