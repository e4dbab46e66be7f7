"""Section 'research': research output of the survey year."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from survey.instrument.fields import EDITION_2028, HOURS_MAX, RESEARCH_MAX, Unit, count_field


class ResearchSection(models.Model):
    res_papers_sci = count_field(
        _("SCI-indexed papers published in the year"), maximum=RESEARCH_MAX, unit=Unit.PAPERS
    )
    res_papers_core = count_field(
        _("Chinese core-journal papers published in the year"),
        maximum=RESEARCH_MAX,
        unit=Unit.PAPERS,
    )
    res_grants_national = count_field(
        _("National-level research grants held (e.g. NSFC)"), maximum=RESEARCH_MAX, unit=Unit.GRANTS
    )
    res_grants_provincial = count_field(
        _("Provincial or ministerial grants held"), maximum=RESEARCH_MAX, unit=Unit.GRANTS
    )
    res_patents_applied = count_field(
        _("Invention patents applied for in the year"), maximum=RESEARCH_MAX, unit=Unit.PATENTS
    )
    res_patents_granted = count_field(
        _("Invention patents granted in the year"), maximum=RESEARCH_MAX, unit=Unit.PATENTS
    )
    res_awards = count_field(
        _("Science and technology awards received in the year"),
        maximum=RESEARCH_MAX,
        unit=Unit.AWARDS,
    )
    res_clinical_trials = count_field(
        _("Registered clinical trials led by the department in the year"),
        maximum=RESEARCH_MAX,
        unit=Unit.TRIALS,
        asked_from=EDITION_2028,
    )
    res_sa_projects_served = count_field(
        _("Research projects served by the small-animal imaging platform in the year"),
        maximum=RESEARCH_MAX,
        unit=Unit.PROJECTS,
        asked_from=EDITION_2028,
    )
    res_sa_service_hours = count_field(
        _("Small-animal imaging service hours in the year"),
        maximum=HOURS_MAX,
        unit=Unit.HOURS,
        asked_from=EDITION_2028,
    )

    class Meta:
        abstract = True
