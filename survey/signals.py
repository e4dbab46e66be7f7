"""Renew the data version of a survey year when one of its reports changes through the ORM.

Bulk writes (the importer, the demo loader) bypass signals and call `versions.changed` themselves.
"""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from departments.models import Institution, Province
from survey import versions
from survey.models import Cycle, Report


@receiver(post_save, sender=Cycle)
def cycle_created(sender, instance, created, **kwargs):
    if created:
        versions.started(instance.year)


@receiver([post_save, post_delete], sender=Report)
def report_changed(sender, instance, **kwargs):
    versions.changed(instance.cycle_id)


@receiver([post_save, post_delete], sender=Institution)
@receiver([post_save, post_delete], sender=Province)
def registry_changed(sender, instance, **kwargs):
    # Names, provinces and populations enter every year's figures.
    versions.changed(*Cycle.objects.values_list("year", flat=True))
