"""The version of the axios-python-plugin-dedupe distribution."""

from __future__ import annotations

__all__ = ["__version__"]

__version__ = "1.3.0"
