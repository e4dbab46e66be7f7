"""Section 'opinions': what the department sees as limiting its development."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from survey.instrument.fields import EDITION_2028, flag_field, free_text_field


class OpinionsSection(models.Model):
    op_lack_specialists = flag_field(
        _("Development limited by a lack of nuclear medicine specialists")
    )
    op_regional_economy = flag_field(_("Development limited by regional economic factors"))
    op_more_research_support = flag_field(
        _("Clinical research should be popularised and supported more")
    )
    op_radiopharmaceutical_supply = flag_field(
        _("Radiopharmaceutical supply limits the department's development"),
        asked_from=EDITION_2028,
    )
    op_suggestions = free_text_field(
        _("Other opinions and suggestions (free text)"), max_length=2000
    )

    class Meta:
        abstract = True
