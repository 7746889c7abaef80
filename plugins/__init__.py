"""Plugins bundled with framecheck; installed as ``framecheck.bundled_plugins``.

Each module registers through the same hooks a third-party plugin uses.
"""
