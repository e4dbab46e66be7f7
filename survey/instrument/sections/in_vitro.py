"""Section 'in_vitro': in vitro analysis and its quality control."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from survey.instrument.fields import IN_VITRO_MAX, Unit, count_field, flag_field


class InVitroSection(models.Model):
    iv_samples = count_field(
        _("In vitro analysis: samples tested in the year"), maximum=IN_VITRO_MAX, unit=Unit.SAMPLES
    )
    iv_tests = count_field(
        _("In vitro analysis: tests performed in the year"), maximum=IN_VITRO_MAX, unit=Unit.TESTS
    )
    iv_internal_qc = flag_field(_("Performs internal quality control"))
    iv_eqa_national = flag_field(
        _(
            "Takes part in the National Health Commission clinical laboratory centre interlaboratory quality evaluation"
        )
    )
    iv_eqa_provincial = flag_field(
        _(
            "Takes part in a provincial/municipal clinical laboratory centre interlaboratory quality evaluation"
        )
    )
    iv_cnas_auditors = flag_field(_("Has internal auditors trained by CNAS-entrusted institutions"))

    class Meta:
        abstract = True
