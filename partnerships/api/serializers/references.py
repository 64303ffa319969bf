"""Small references to records, as other records name them: a locality, an organization,
a focus area, a source, a citation."""

from rest_framework import serializers

from ...models import Citation, FocusArea, Locality, Organization, Source
from .base import ApiUrlField, OptionalURLField, PartialDateOutField


class LocalityRefSerializer(serializers.ModelSerializer):
    url = ApiUrlField("api:locality-detail")

    class Meta:
        model = Locality
        fields = ["id", "name", "country", "kind", "url"]


class OrganizationRefSerializer(serializers.ModelSerializer):
    url = ApiUrlField("api:organization-detail")

    class Meta:
        model = Organization
        fields = ["id", "name", "abbreviation", "url"]


class FocusAreaSerializer(serializers.ModelSerializer):
    class Meta:
        model = FocusArea
        fields = ["slug", "name"]


class SourceRefSerializer(serializers.ModelSerializer):
    """A source as a citation names it. ``url`` is the document's own address."""

    published = PartialDateOutField("published_on", "published_precision")
    api_url = ApiUrlField("api:source-detail")
    url = OptionalURLField(help_text="The document's own address; null when it has none.")

    class Meta:
        model = Source
        fields = ["id", "title", "publisher", "url", "published", "api_url"]


class CitationSerializer(serializers.ModelSerializer):
    # ``source`` is also the name of Field's own argument: the stubs type it as that.
    source = SourceRefSerializer()  # type: ignore[assignment]

    class Meta:
        model = Citation
        fields = ["source", "quote", "locator"]
