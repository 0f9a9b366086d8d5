"""Qt views over the Qt-free layers. The only package allowed to import PySide6, pyqtgraph, VTK."""
