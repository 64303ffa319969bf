"""What the API computes rather than stores: the statistics and the change feed."""

from rest_framework import serializers

from .records import ReportedFigureSerializer

# -------------------------------------------------------------------------- stats


class StatsGroupSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="The country code, status or kind.")
    # ``label`` is also the name of Field's own argument: the stubs type it as that.
    label = serializers.CharField()  # type: ignore[assignment]
    count = serializers.IntegerField()
    by_status = serializers.DictField(
        child=serializers.IntegerField(),
        help_text="Counts per status (as of the as_of date, if given); `unknown` for no known status.",
    )


class StatsSerializer(serializers.Serializer):
    group_by = serializers.ChoiceField(choices=["country", "status", "kind"])
    as_of = serializers.DateField(allow_null=True)
    total = serializers.IntegerField(help_text="The registry's own count of partnerships in scope.")
    by_status = serializers.DictField(child=serializers.IntegerField())
    groups = StatsGroupSerializer(many=True)
    reported_figures = ReportedFigureSerializer(many=True, help_text="What sources say for the same scope.")


# ---------------------------------------------------------------------- changes


class MergedIntoSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    url = serializers.URLField()


class ChangeSerializer(serializers.Serializer):
    type = serializers.ChoiceField(
        choices=["partnership", "locality", "organization", "source", "reported_figure"]
    )
    seq = serializers.IntegerField(
        help_text="The entry's number in the feed, in commit order; the page's `cursor` is its last entry's."
    )
    id = serializers.IntegerField()
    action = serializers.ChoiceField(choices=["created", "updated", "deleted", "merged"])
    changed_at = serializers.DateTimeField()
    deleted_at = serializers.DateTimeField(required=False, help_text="Tombstones (deleted, merged) only.")
    url = serializers.URLField(
        allow_null=True, help_text="Where to fetch the record now; null when deleted or merged."
    )
    merged_into = MergedIntoSerializer(
        required=False, help_text="Merges only: the record of the same type this one became part of."
    )


class ChangePageSerializer(serializers.Serializer):
    next = serializers.URLField(allow_null=True, help_text="More changes are ready now; null when caught up.")
    cursor = serializers.CharField(help_text="Pass as `since` to continue after the last change shown.")
    results = ChangeSerializer(many=True)
