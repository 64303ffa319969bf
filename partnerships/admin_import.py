"""Kept only for ``registry/urls.py``, which mounts the import page from here: the page
itself is ``partnerships.admin.imports``."""

from .admin.imports import admin_import_view

__all__ = ["admin_import_view"]
