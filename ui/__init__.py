"""The desktop user interface (PySide6 on a qasync event loop)."""
