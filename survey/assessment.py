"""What a report still needs before it can be submitted (`assess`): every section answered, no
broken rule of `survey.instrument.rules`, every data-quality warning explained.

A report is judged by the items its cycle asks: an item the cycle does not ask is neither
required nor judged, whatever a value stored there (the model refuses one) would say.
"""

from dataclasses import dataclass, field

from survey.instrument import items as instrument
from survey.instrument import rules
from survey.instrument.items import TEXT
from survey.models import Report


def required_items(section_key, year):
    """The items a complete section answers in the cycle of `year`: every count, flag and
    choice it asks (text is optional)."""
    return [
        item
        for item in instrument.section_items(section_key, year)
        if item.on_report and item.kind != TEXT
    ]


def sections_asked(year):
    """The sections of the instrument the cycle of `year` asks any item of, in order."""
    return [
        section for section in instrument.SECTIONS if instrument.section_items(section.key, year)
    ]


def asked_values(report):
    """The report's values by item code, None for every item its cycle does not ask."""
    year = report.cycle_id
    return {
        code: value if instrument.is_asked(code, year) else None
        for code, value in report.item_values().items()
    }


def previous_report(report):
    """The institution's report of the latest earlier cycle, or None."""
    return (
        Report.objects.filter(institution_id=report.institution_id, cycle_id__lt=report.cycle_id)
        .order_by("-cycle_id")
        .first()
    )


@dataclass
class SectionState:
    section: instrument.Section
    answered: int
    required: int
    errors: list = field(default_factory=list)
    unexplained: list = field(default_factory=list)

    COMPLETE, INCOMPLETE, PROBLEMS = "complete", "incomplete", "problems"

    @property
    def status(self):
        if self.errors or self.unexplained:
            return self.PROBLEMS
        return self.COMPLETE if self.answered == self.required else self.INCOMPLETE

    @property
    def missing(self):
        return self.required - self.answered


@dataclass
class Assessment:
    """Where a report stands: its problems, warnings and the state of each section."""

    values: dict
    previous_values: dict | None
    previous_year: int | None
    errors: list  # blocking `rules.Problem`s
    warnings: list  # `QualityWarning`s, explained or not
    unexplained: list
    sections: list

    @property
    def ready(self):
        """Whether the report may be submitted: complete, valid and every warning explained."""
        return all(state.status == SectionState.COMPLETE for state in self.sections)

    def section(self, key):
        return next(state for state in self.sections if state.section.key == key)


def _sections_of(codes):
    by_code = instrument.items_by_code()
    return {by_code[code].section for code in codes if code in by_code}


def assess(report, previous=None):
    """The `Assessment` of the report's saved values (against `previous`, last cycle's report)."""
    year = report.cycle_id
    values = asked_values(report)
    previous_values = asked_values(previous) if previous else None
    previous_year = previous.cycle_id if previous else None
    errors = [p for p in rules.check(values) if p.blocking]
    warnings = rules.quality_warnings(values, previous_values, previous_year, year)
    unexplained = [w for w in warnings if not w.explanation(report.notes)]
    sections = []
    for section in sections_asked(year):
        required = required_items(section.key, year)
        sections.append(
            SectionState(
                section=section,
                answered=sum(values.get(item.code) is not None for item in required),
                required=len(required),
                errors=[p for p in errors if section.key in _sections_of(p.items)],
                unexplained=[w for w in unexplained if section.key in _sections_of(w.items)],
            )
        )
    return Assessment(
        values, previous_values, previous_year, errors, warnings, unexplained, sections
    )
