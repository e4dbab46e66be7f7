"""Creating the platform's users in bulk from the society's list of institution contacts."""

import secrets
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.forms import PasswordResetForm
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import DatabaseError, transaction
from django.utils.translation import gettext as _

from accounts.models import Membership
from accounts.roles import Role
from departments.models import Institution, Province
from interchange.files import FileRejected, UnreadableCell, at_cell, open_table
from survey.text import forbidden_characters, is_acceptable

CONTACT_COLUMNS = ("inst_code", "name", "email", "role", "province")
REQUIRED_COLUMNS = ("email", "role")
# The user fields the values go to (username and first_name are 150 characters long).
MAX_LENGTHS = {"name": 150, "email": 150}


class ContactsError(Exception):
    """The file cannot be imported; `errors` has one line per problem, nothing was written."""

    def __init__(self, errors):
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass
class ContactsResult:
    created: list = field(default_factory=list)
    updated: list = field(default_factory=list)
    unchanged: list = field(default_factory=list)


@dataclass(frozen=True)
class Contact:
    line: int
    email: str
    name: str
    role: str
    institution: Institution | None
    province: Province | None


def read_contacts(source):
    """The contacts of a contact list, validated: a list of `Contact`; raises `ContactsError`.

    `source` is a path or a binary file, CSV or XLSX, read by the survey files' reader
    (`interchange.files`): the same encodings detected, the same broken files refused.
    """
    try:
        table = open_table(source)
    except FileRejected as rejected:
        raise ContactsError([str(rejected)]) from None
    header = [name.strip() for name in table.header]
    errors = []
    unknown = [name for name in header if name not in CONTACT_COLUMNS]
    if unknown:
        errors.append(
            _("line 1: unknown column(s) %(unknown)s; the columns are %(columns)s.")
            % {"unknown": ", ".join(unknown), "columns": ", ".join(CONTACT_COLUMNS)}
        )
    twice = sorted({name for name in header if name and header.count(name) > 1})
    if twice:
        errors.append(
            _("line 1: column(s) %(twice)s appear twice; each column may appear once.")
            % {"twice": ", ".join(twice)}
        )
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        errors.append(_("line 1: missing column(s) %(missing)s.") % {"missing": ", ".join(missing)})
    if errors:
        raise ContactsError(errors)
    try:
        # A short row leaves its last columns blank; cells beyond the header are not read.
        rows = [
            (number, dict(zip(header, cells, strict=False)))
            for number, cells in table.rows
            if any(cell.strip() for cell in cells[: len(header)])
        ]
    except FileRejected as rejected:
        raise ContactsError([str(rejected)]) from None
    # A workbook's formula never calculated, or an error value (XLSX only).
    errors = [
        at_cell(number, name, cell.problem)
        for number, row in rows
        for name, cell in row.items()
        if isinstance(cell, UnreadableCell)
    ]
    if errors:
        raise ContactsError(errors)
    rows = [(number, {k: v.strip() for k, v in row.items()}) for number, row in rows]
    if not rows:
        raise ContactsError([_("The file has a header but no contacts.")])
    institutions = Institution.objects.in_bulk(
        {row.get("inst_code", "") for _n, row in rows} - {""}, field_name="code"
    )
    provinces = list(Province.objects.all())
    contacts, first_line_of = [], {}
    for number, row in rows:
        contact, row_errors = _contact(number, row, institutions, provinces)
        email = row.get("email", "").lower()
        if email and email in first_line_of:
            row_errors.append(
                _("line %(line)s: e-mail %(email)s appears twice (also on line %(first)s).")
                % {"line": number, "email": email, "first": first_line_of[email]}
            )
        first_line_of.setdefault(email, number)
        errors.extend(row_errors)
        if contact and not row_errors:
            contacts.append(contact)
    if errors:
        raise ContactsError(errors)
    return contacts


def _contact(number, row, institutions, provinces):
    errors = []

    def error(column, message):
        errors.append(at_cell(number, column, message))

    for column, value in row.items():
        if not is_acceptable(value):
            error(
                column,
                _(
                    "The text contains control or invisible characters (%s), often pasted from "
                    "Word or a terminal; remove them."
                )
                % forbidden_characters(value),
            )
        elif len(value) > MAX_LENGTHS.get(column, len(value)):
            error(
                column,
                _("%(length)s characters; at most %(max)s are allowed.")
                % {"length": len(value), "max": MAX_LENGTHS[column]},
            )
    if errors:
        return None, errors
    email = row.get("email", "").lower()
    try:
        validate_email(email)
    except ValidationError:
        error("email", _("“%(value)s” is not an e-mail address.") % {"value": row.get("email", "")})
    role = row.get("role", "").lower()
    if role not in Role.values:
        error(
            "role",
            _("“%(value)s” is not a role; use one of %(roles)s.")
            % {"value": row.get("role", ""), "roles": ", ".join(Role.values)},
        )
    code = row.get("inst_code", "")
    institution = institutions.get(code) if code else None
    if code and institution is None:
        error("inst_code", _("no institution has the code “%(code)s”.") % {"code": code})
    spelling = row.get("province", "")
    province = None
    if spelling:
        province = next((p for p in provinces if spelling.casefold() in p.spellings()), None)
        if province is None:
            error("province", _("“%(value)s” is not a province.") % {"value": spelling})
    if role == Role.REPORTER:
        if not code:
            error("inst_code", _("a reporter needs the code of their institution."))
        elif institution and province and institution.province_id != province.code:
            error(
                "province",
                _("institution %(code)s is in %(actual)s, not %(given)s.")
                % {"code": code, "actual": institution.province, "given": province},
            )
    elif role == Role.COORDINATOR:
        if not spelling:
            error("province", _("a coordinator needs the province they review."))
        if code:
            error("inst_code", _("coordinators belong to a province: leave inst_code empty."))
    elif role in (Role.ANALYST, Role.ADMIN) and (code or spelling):
        error(
            "role",
            _("analysts and administrators are national: leave inst_code and province empty."),
        )
    if errors:
        return None, errors
    return (
        Contact(
            line=number,
            email=email,
            name=row.get("name", ""),
            role=role,
            institution=institution if role == Role.REPORTER else None,
            province=province if role == Role.COORDINATOR else None,
        ),
        errors,
    )


def import_contacts(source, *, dry_run=False):
    """Create or update one user per contact (username = e-mail), all or nothing.

    New users get a random password that nobody knows: they choose their own through
    "Forgot your password?" on the login page (or the e-mail of `send_password_resets`).
    Returns a `ContactsResult` of users by outcome; raises `ContactsError` listing every bad
    line, or saying the database failed, and then writes nothing.
    """
    try:
        return _import_contacts(source, dry_run=dry_run)
    except DatabaseError:
        raise ContactsError(
            [
                _(
                    "The database failed during the import, so nothing was written. Run the "
                    "import again when the database is back."
                )
            ]
        ) from None


@transaction.atomic
def _import_contacts(source, *, dry_run):
    contacts = read_contacts(source)
    User = get_user_model()
    existing = {
        user.username.lower(): user
        for user in User.objects.filter(username__in=[c.email for c in contacts]).select_related(
            "membership"
        )
    }
    result = ContactsResult()
    for contact in contacts:
        user = existing.get(contact.email)
        if user is None:
            user = User(username=contact.email, email=contact.email, first_name=contact.name[:150])
            # A random password nobody knows, not an unusable one: Django's password reset
            # ignores accounts whose password is unusable.
            user.set_password(secrets.token_urlsafe(32))
            user.is_staff = contact.role == Role.ADMIN
            user.save()
            Membership.objects.create(
                user=user,
                role=contact.role,
                institution=contact.institution,
                province=contact.province,
            )
            result.created.append(user)
            continue
        changed = _update(user, contact)
        (result.updated if changed else result.unchanged).append(user)
    if dry_run:
        transaction.set_rollback(True)
    return result


def _update(user, contact):
    changed = False
    wanted = {"email": contact.email, "first_name": contact.name[:150] or user.first_name}
    if contact.role == Role.ADMIN:
        wanted["is_staff"] = True
    for attribute, value in wanted.items():
        if getattr(user, attribute) != value:
            setattr(user, attribute, value)
            changed = True
    if changed:
        user.save()
    membership = getattr(user, "membership", None) or Membership(user=user)
    scope = {
        "role": contact.role,
        "institution_id": contact.institution.pk if contact.institution else None,
        "province_id": contact.province.pk if contact.province else None,
    }
    if membership.pk is None or any(getattr(membership, k) != v for k, v in scope.items()):
        for attribute, value in scope.items():
            setattr(membership, attribute, value)
        membership.save()
        changed = True
    return changed


def send_password_resets(users, *, domain, use_https=True):
    """E-mail each user a link to choose a password; returns how many were sent."""
    sent = 0
    for user in users:
        form = PasswordResetForm({"email": user.email})
        if form.is_valid():
            form.save(
                domain_override=domain,
                use_https=use_https,
                subject_template_name="registration/password_reset_subject.txt",
                email_template_name="registration/password_reset_email.html",
            )
            sent += 1
    return sent
