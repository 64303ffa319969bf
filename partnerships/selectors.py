"""Reads shared by the public pages, the API and the admin.

Each selector answers one question the surfaces ask alike, so a page, an endpoint and an
admin screen that show the same thing load it the same way (and with the same number of
queries). Writes live in ``partnerships.services``; per-model filtering building blocks
live on the QuerySets in ``partnerships.models``.
"""


# ------------------------------------------------------------------ partnership detail
# (the one loader of a partnership with its parties, timeline, citations and activities)


# ----------------------------------------------------------------- registry changed at
# (when the registry last changed: conditional requests and cached pages)


# ----------------------------------------------------------------------------- stats
# (counts by status, country and level, and reported figures beside them)


# ---------------------------------------------------------------------- review queue
# (why a partnership needs a reviewer's attention)
