from django import template

from ..dates import format_partial_date

register = template.Library()


@register.simple_tag
def partial_date(date, precision):
    """A date as precisely as it is known: {% partial_date p.established_on p.established_precision %}."""
    return format_partial_date(date, precision)
