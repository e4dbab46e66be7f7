"""One message to one user, written in the user's language and sent by a background job."""

from urllib.parse import urljoin

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django_tasks import task

from notices.languages import language_of


@task()
def send_message(to, subject, body):
    """Send one plain-text message through Django's mail backend (SMTP in production).

    A failure (SMTP down, address refused) fails this job only: the job backend records and
    logs it; the step or reminder that asked for the mail has already been committed.
    """
    send_mail(subject, body, None, [to])


def site_link(name, *args):
    """The absolute address of the page `name` (a URL name) for a link in mail."""
    base = settings.SURVEY_SITE_URL
    return urljoin(base, reverse(name, args=args))


def render_message(template, context, *, language):
    """(subject, body) of templates/notices/<template>_subject.txt and _body.txt in `language`."""
    with translation.override(language):
        subject = render_to_string(f"notices/{template}_subject.txt", context)
        body = render_to_string(f"notices/{template}_body.txt", context)
    # A header holds one line.
    return " ".join(subject.split()), body


def mail_after_commit(users, template, context):
    """Write `template` to each of `users` in their language; send once the transaction commits.

    Enqueued after commit: a rolled-back step sends nothing, and a job queue that is down
    (robust) cannot undo what was committed.
    """
    messages = []
    for user in users:
        subject, body = render_message(template, context, language=language_of(user))
        messages.append((user.email, subject, body))
    for to, subject, body in messages:
        transaction.on_commit(
            lambda to=to, subject=subject, body=body: send_message.enqueue(to, subject, body),
            robust=True,
        )
