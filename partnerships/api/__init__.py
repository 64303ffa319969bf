"""The public REST API, version 1 (/api/v1/). One module a job:

- ``urls``: the routes; ``views``: the endpoints, and nothing else, a package by purpose;
- ``mixins``: what every view shares (JSON errors, cache validators, lists and details);
- ``exports``: whole-list CSV and GeoJSON, with CSV columns derived from the serializers;
- ``renderers``: the CSV and GeoJSON formats; ``pagination``: pages and their parameters;
- ``inputs``: reading a request (format, ``as_of``, citations, field names in errors);
- ``permissions``: who may read and write; ``conditional``: ETag, Last-Modified, Cache-Control;
- ``schema``: the OpenAPI extras; ``exceptions``: the one shape of every error;
- ``serializers``: the request and response bodies, a package by purpose;
- ``feed``: the change feed.

Reads shared with the pages and the admin come from ``partnerships.selectors``; writes go
through ``partnerships.services``.
"""
