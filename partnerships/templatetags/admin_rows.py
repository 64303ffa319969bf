"""``{% lean_result_list cl %}``: Django's ``{% result_list cl %}`` (the same template,
overridable per model and per app as Django's is), its rows written by
``partnerships.admin.rows`` once per column instead of once per cell."""

from typing import Any

from django import template
from django.contrib.admin.templatetags.base import InclusionAdminNode

from ..admin.rows import lean_result_list

register = template.Library()


@register.tag(name="lean_result_list")
def lean_result_list_tag(parser: Any, token: Any) -> InclusionAdminNode:
    return InclusionAdminNode(
        parser, token, func=lean_result_list, template_name="change_list_results.html", takes_context=False
    )
