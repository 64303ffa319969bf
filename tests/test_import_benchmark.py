"""The benchmark command runs (on a slice: it is a tool, not a timed test) in a throw-away
database and leaves the configured one alone."""

import io

from django.core.management import call_command

from partnerships.models import Partnership


def test_the_benchmark_prints_its_table_and_touches_nothing_here(db):
    out = io.StringIO()
    call_command("benchmark_import", "muenchdo", "--limit", "40", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[1].split() == ["data", "set", "rows", "created", "seconds", "rows/s", "peak", "MB"]
    name, rows, created, seconds, rate, peak = lines[3].split()
    assert float(rate) > 0
    assert (name, rows) == ("muenchdo", "40")
    assert int(created) > 30 and float(seconds) > 0 and float(peak) > 0
    assert Partnership.objects.count() == 0
