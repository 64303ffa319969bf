"""The staff admin, one room per job: ``base`` (the RegistryAdmin every model admin
extends: edit history, restore, lost-update refusal, writes through the services),
``locking`` (the lost-update check), ``forms`` (the admin's forms, which only validate),
``formsets`` (the inline formsets, whose rows are saved through services), one module
per group of models (``localities``, ``organizations``, ``sources`` with citations,
``partnerships`` with status events and activities, ``figures``, ``corrections``),
``imports`` (the bulk-import page) and ``jobs`` (the background imports and exports).

Importing this package registers every model admin with the admin site."""

from . import corrections, figures, jobs, localities, organizations, partnerships, sources
from .base import RegistryAdmin
from .imports import admin_import_view

__all__ = [
    "RegistryAdmin",
    "admin_import_view",
    "corrections",
    "figures",
    "jobs",
    "localities",
    "organizations",
    "partnerships",
    "sources",
]
