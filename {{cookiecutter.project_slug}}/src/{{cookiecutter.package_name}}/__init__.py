"""The top-level package: its version and nothing else, so importing it stays cheap."""

__version__ = "0.1.0"

__all__ = ["__version__"]
