"""Template filters of the audit trail."""

from django import template

from survey.audit import item_label as label_of_item

register = template.Library()


@register.filter
def item_label(code):
    """The label of an audited item code ("Equipment unit" for a unit)."""
    return label_of_item(code)
