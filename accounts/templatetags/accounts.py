from django import template

from accounts import roles

register = template.Library()


@register.simple_tag
def role_of(user):
    """The user's role code ("reporter", "coordinator", "analyst", "admin") or ""."""
    role = roles.role_of(user)
    return role.value if role else ""
