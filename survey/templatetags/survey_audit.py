"""Template filters of the audit trail."""

from django import template

from survey.audit import item_label as label_of_item
from survey.audit import shown_value

register = template.Library()


@register.filter
def item_label(code):
    """The label of an audited item code ("Equipment unit" for a unit)."""
    return label_of_item(code)


@register.filter
def value_before(change):
    """What an audit row's item held before, as pages show it."""
    return shown_value(change.item, change.old_value)


@register.filter
def value_after(change):
    """What an audit row's item holds after, as pages show it."""
    return shown_value(change.item, change.new_value)
