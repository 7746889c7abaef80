"""The ``framecheck`` command: click commands that parse options, call the application layer,
print, and choose the exit code. Nothing below imports it.
"""

from .base import cli
from .main import main

__all__ = ["cli", "main"]
