"""Localities, organizations, sources and reported figures, in lists and in detail."""

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ...licensing import licenses_for
from ...models import Citation, Locality, Organization, Partnership, ReportedFigure, Source
from .base import ApiUrlField, OptionalURLField, PartialDateOutField
from .partnerships import LicenseSerializer
from .references import CitationSerializer, LocalityRefSerializer, OrganizationRefSerializer

# --------------------------------------------------------------------- localities


class LocalitySerializer(serializers.ModelSerializer):
    url = ApiUrlField("api:locality-detail")
    html_url = ApiUrlField("partnerships:locality-detail")
    latitude = serializers.FloatField(read_only=True, allow_null=True)
    longitude = serializers.FloatField(read_only=True, allow_null=True)

    class Meta:
        model = Locality
        fields = [
            "id",
            "url",
            "html_url",
            "name",
            "native_name",
            "kind",
            "country",
            "subdivision",
            "parent",
            "latitude",
            "longitude",
            "wikidata_id",
            "updated_at",
        ]


class AliasSerializer(serializers.Serializer):
    name = serializers.CharField()
    kind = serializers.CharField()
    language = serializers.CharField()
    valid_from = PartialDateOutField("valid_from", "valid_from_precision")
    valid_to = PartialDateOutField("valid_to", "valid_to_precision")


class LocalityPartnershipSerializer(serializers.ModelSerializer):
    """One of a locality's partnerships, from that locality's side."""

    url = ApiUrlField("api:partnership-detail")
    kind = serializers.CharField(source="level", read_only=True)
    partner = serializers.SerializerMethodField()
    established = PartialDateOutField("established_on", "established_precision")
    status = serializers.SerializerMethodField()
    status_since = PartialDateOutField("current_status_since", "current_status_since_precision")
    status_reported = PartialDateOutField(
        "current_status_reported",
        "current_status_reported_precision",
        help_text="When a source last reported the status; see the partnership list's status_reported.",
    )

    class Meta:
        model = Partnership
        fields = ["id", "url", "kind", "partner", "established", "status", "status_since", "status_reported"]

    @extend_schema_field(LocalityRefSerializer)
    def get_partner(self, obj):
        me = self.context["locality"]
        other = obj.locality_b if obj.locality_a_id == me.pk else obj.locality_a
        return LocalityRefSerializer(other, context=self.context).data

    @extend_schema_field(serializers.ChoiceField(choices=Partnership.Status.choices, allow_null=True))
    def get_status(self, obj) -> str | None:
        return obj.current_status or None


class LocalityDetailSerializer(LocalitySerializer):
    aliases = AliasSerializer(many=True, read_only=True)
    partnerships = serializers.SerializerMethodField()
    citations = CitationSerializer(many=True, read_only=True)
    license = serializers.SerializerMethodField(
        help_text=(
            "The licences of this record: the registry's own (CC BY 4.0), then each data set it "
            "was imported from (places from Wikipedia lists: CC BY-SA 4.0)."
        )
    )

    class Meta(LocalitySerializer.Meta):
        fields = [
            *LocalitySerializer.Meta.fields,
            "description",
            "aliases",
            "partnerships",
            "citations",
            "license",
        ]

    @extend_schema_field(LicenseSerializer(many=True))
    def get_license(self, obj) -> list:
        return [licence.as_dict() for licence in licenses_for(obj.citations.all())]

    @extend_schema_field(LocalityPartnershipSerializer(many=True))
    def get_partnerships(self, obj):
        context = {**self.context, "locality": obj}
        return LocalityPartnershipSerializer(obj.api_partnerships, many=True, context=context).data


# ------------------------------------------------------------------ organizations


class OrganizationSerializer(serializers.ModelSerializer):
    url = ApiUrlField("api:organization-detail")
    html_url = ApiUrlField("partnerships:organization-detail")
    website = OptionalURLField(source="url")
    partnerships_url = serializers.SerializerMethodField(
        help_text="The partnership list filtered to the partnerships it facilitates."
    )

    class Meta:
        model = Organization
        fields = [
            "id",
            "url",
            "html_url",
            "name",
            "abbreviation",
            "kind",
            "country",
            "website",
            "partnerships_url",
            "updated_at",
        ]

    @extend_schema_field(OpenApiTypes.URI)
    def get_partnerships_url(self, obj) -> str:
        path = f"{reverse('api:partnership-list')}?organization={obj.pk}"
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class OrganizationDetailSerializer(OrganizationSerializer):
    class Meta(OrganizationSerializer.Meta):
        fields = [*OrganizationSerializer.Meta.fields, "description"]


# ------------------------------------------------------------------------ sources


class CitedClaimSerializer(serializers.ModelSerializer):
    """What a citation supports: its kind, the claim's id and the partnership it concerns."""

    claim = serializers.SerializerMethodField()
    claim_id = serializers.SerializerMethodField()
    partnership = serializers.SerializerMethodField()

    class Meta:
        model = Citation
        fields = ["claim", "claim_id", "partnership", "quote", "locator"]

    @extend_schema_field(serializers.ChoiceField(choices=[(t, t) for t in Citation.TARGETS]))
    def get_claim(self, obj) -> str:
        return next(name for name in Citation.TARGETS if getattr(obj, f"{name}_id"))

    def get_claim_id(self, obj) -> int:
        return next(getattr(obj, f"{name}_id") for name in Citation.TARGETS if getattr(obj, f"{name}_id"))

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_partnership(self, obj) -> int | None:
        if obj.partnership_id:
            return obj.partnership_id
        if obj.status_event_id:
            return obj.status_event.partnership_id
        if obj.activity_id:
            return obj.activity.partnership_id
        return None


class SourceSerializer(serializers.ModelSerializer):
    api_url = ApiUrlField("api:source-detail")
    html_url = ApiUrlField("partnerships:source-detail")
    published = PartialDateOutField("published_on", "published_precision")
    url = OptionalURLField(help_text="The document's own address; null when it has none.")
    archived_url = OptionalURLField(help_text="A copy in a web archive; null when there is none.")
    cited_by = CitedClaimSerializer(source="citations", many=True, read_only=True)

    class Meta:
        model = Source
        fields = [
            "id",
            "api_url",
            "html_url",
            "title",
            "publisher",
            "author",
            "published",
            "url",
            "archived_url",
            "accessed_on",
            "language",
            "kind",
            "notes",
            "updated_at",
            "cited_by",
        ]


# ---------------------------------------------------------------- reported figures


class ReportedFigureSerializer(serializers.ModelSerializer):
    url = ApiUrlField("api:reported-figure-detail")
    as_of = PartialDateOutField("as_of", "as_of_precision")
    organization = OrganizationRefSerializer(read_only=True, allow_null=True)
    citations = CitationSerializer(many=True, read_only=True)

    class Meta:
        model = ReportedFigure
        fields = [
            "id",
            "url",
            "count",
            "qualifier",
            "measure",
            "country_a",
            "country_b",
            "status",
            "as_of",
            "organization",
            "description",
            "citations",
            "updated_at",
        ]
