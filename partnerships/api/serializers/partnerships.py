"""A partnership in a list and in detail, with its status events and activities."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ...licensing import partnership_licenses
from ...models import Activity, Partnership, StatusEvent
from .base import ApiUrlField, PartialDateOutField
from .references import (
    CitationSerializer,
    FocusAreaSerializer,
    LocalityRefSerializer,
    OrganizationRefSerializer,
)


class LicenseSerializer(serializers.Serializer):
    applies_to = serializers.CharField()
    name = serializers.CharField()
    url = serializers.URLField()
    attribution = serializers.CharField(help_text="Whom to credit when reusing it.")
    share_alike = serializers.BooleanField(help_text="Derived data must be shared under the same licence.")


class PartnershipSerializer(serializers.ModelSerializer):
    """A partnership in a list. ``status``, ``status_since`` and ``status_reported`` are as
    of the ``as_of`` date when one is given, else current; null when unknown."""

    url = ApiUrlField("api:partnership-detail")
    html_url = ApiUrlField("partnerships:partnership-detail")
    kind = serializers.CharField(source="level", read_only=True)
    localities = serializers.SerializerMethodField()
    established = PartialDateOutField("established_on", "established_precision")
    status = serializers.SerializerMethodField()
    status_since = PartialDateOutField(
        "status_since",
        "status_since_precision",
        help_text=(
            "When the status began: the date of its latest change. When no change is recorded "
            "and a source only reports the status, the report's date (then equal to status_reported)."
        ),
    )
    status_reported = PartialDateOutField(
        "status_reported",
        "status_reported_precision",
        help_text=(
            "When a source last reported the status (an attestation, e.g. a directory listing it "
            "active) later than its latest change; when status_since equals it, no change is "
            "recorded: read “reported active in July 2002”, not “active since”. Null otherwise."
        ),
    )
    organizations = OrganizationRefSerializer(many=True, read_only=True)
    focus_areas = FocusAreaSerializer(many=True, read_only=True)
    license = serializers.SerializerMethodField(
        help_text=(
            "The licences of this record: the registry's own (CC BY 4.0), then each data set it "
            "was imported from (rows from Wikipedia lists: CC BY-SA 4.0)."
        )
    )

    class Meta:
        model = Partnership
        fields = [
            "id",
            "url",
            "html_url",
            "kind",
            "localities",
            "established",
            "status",
            "status_since",
            "status_reported",
            "organizations",
            "focus_areas",
            "updated_at",
            "license",
        ]

    @extend_schema_field(LicenseSerializer(many=True))
    def get_license(self, obj) -> list:
        # A query or two per row here; the list's lean path reads them for a page at once.
        return [licence.as_dict() for licence in partnership_licenses(obj)]

    @extend_schema_field(LocalityRefSerializer(many=True))
    def get_localities(self, obj):
        return LocalityRefSerializer([obj.locality_a, obj.locality_b], many=True, context=self.context).data

    @extend_schema_field(serializers.ChoiceField(choices=Partnership.Status.choices, allow_null=True))
    def get_status(self, obj) -> str | None:
        return getattr(obj, "status", None) or None


class StatusEventSerializer(serializers.ModelSerializer):
    date = PartialDateOutField("effective_on", "effective_precision")
    declaring_organization = OrganizationRefSerializer(read_only=True, allow_null=True)
    citations = CitationSerializer(many=True, read_only=True)

    class Meta:
        model = StatusEvent
        fields = [
            "id",
            "kind",
            "status",
            "date",
            "note",
            "declared_by",
            "declaring_organization",
            "is_internal_record",
            "citations",
        ]


class ActivitySerializer(serializers.ModelSerializer):
    date = PartialDateOutField("occurred_on", "occurred_precision")
    citations = CitationSerializer(many=True, read_only=True)

    class Meta:
        model = Activity
        fields = ["id", "kind", "date", "is_planned", "description", "citations"]


class PartnershipDetailSerializer(PartnershipSerializer):
    events = StatusEventSerializer(many=True, read_only=True)
    citations = CitationSerializer(many=True, read_only=True)
    activities = ActivitySerializer(many=True, read_only=True)

    class Meta(PartnershipSerializer.Meta):
        fields = [
            # ``license`` where the detail had it before the list rows had it too.
            *[name for name in PartnershipSerializer.Meta.fields if name != "license"],
            "description",
            "events",
            "citations",
            "activities",
            "license",
            "created_at",
        ]
