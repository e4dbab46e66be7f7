"""Renew the data version of a survey year when one of its reports changes through the ORM.

Bulk writes (the importer, the demo loader) bypass signals and call `versions.changed` themselves.
"""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from departments.models import Institution, Province
from survey import versions
from survey.models import PUBLISHED_STATUSES, Cycle, Report


@receiver(post_save, sender=Cycle)
def cycle_created(sender, instance, created, **kwargs):
    if created:
        versions.started(instance.year)


@receiver([post_save, post_delete], sender=Report)
def report_changed(sender, instance, update_fields=None, **kwargs):
    # A report the public cannot see, saved without its status (a draft's section), leaves
    # the published figures as they were.
    unpublished = (
        kwargs.get("signal") is post_save
        and update_fields is not None
        and "status" not in update_fields
        and instance.status not in PUBLISHED_STATUSES
    )
    versions.changed(instance.cycle_id, published=not unpublished)


@receiver([post_save, post_delete], sender=Institution)
@receiver([post_save, post_delete], sender=Province)
def registry_changed(sender, instance, **kwargs):
    # Names, provinces and populations enter every year's figures.
    versions.changed(*Cycle.objects.values_list("year", flat=True))
