"""What the templates ask about the signed-in user: which pages to link (`accounts.roles`)."""

from accounts.roles import PAGE_AUDIENCES, may_open


class Pages:
    """`{% if may_open.filing %}`: asked only when a template reads it (no query otherwise)."""

    def __init__(self, user):
        self.user = user

    def __getitem__(self, page):
        if page not in PAGE_AUDIENCES:
            raise KeyError(page)
        return may_open(self.user, page)


def pages(request):
    return {"may_open": Pages(getattr(request, "user", None))}
