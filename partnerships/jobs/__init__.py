"""Long work off the request path: admin imports of any size and full exports run as jobs.

The queue is django-tasks' (the backport of Django 6's tasks framework) with its database
backend (django-tasks-db): a job is enqueued as a row in the registry's own database, in the
same transaction as the ``Job`` that tracks it, and run by the worker, ``manage.py db_worker``
(``make worker``). It needs nothing beyond the database the registry already has, on SQLite
and PostgreSQL alike.

- ``models``: ``Job`` (kind, state, progress, the import report or the export file);
- ``services``: the writes: ``start_import``, ``start_export`` and what the worker records
  (``record_progress``, the outcome), the report kept as JSON and read back;
- ``tasks``: the task functions the worker runs (``run_import``, ``run_export``);
- ``publishing``: the full exports published as files (rendered from the API's own CSV,
  regenerated when the registry changes), and the view serving them with ETags;
- the admin's job pages are ``partnerships.admin.jobs``.
"""
