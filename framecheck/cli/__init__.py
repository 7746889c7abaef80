"""The ``framecheck`` command: click commands that parse options, call the application layer,
print, and choose the exit code. Nothing below imports it.
"""

from .main import main

__all__ = ["main"]
