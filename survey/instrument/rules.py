"""The cross-item rules of the data dictionary and the data-quality warnings, over a report's
values by item code.

One implementation of the rules (`check`) serves the model, the forms and the importer. A rule
reads None as "not reported" and only judges what was reported; an item the report's cycle
does not ask is None to them. The warnings
(`quality_warnings`: the rules that do not block, services and their evidence, changes against
last year) are what the filer explains before submitting (`survey.assessment.assess`).
"""

from collections.abc import Mapping
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from survey.instrument import items as instrument
from survey.instrument.items import COUNT, GROUPS, IDENTITY_FIELDS, THERAPY_GROUPS, label


@dataclass(frozen=True)
class Problem:
    """A broken rule: the items involved (the first is where to show it) and a message.

    A problem that is not `blocking` is a data-quality warning: the filer may keep the
    values if they explain them.
    """

    items: tuple[str, ...]
    message: str
    blocking: bool = True

    @property
    def item(self):
        return self.items[0]


def group_total(values, group):
    """The sum of a group's reported items, or None when none of them was reported."""
    reported = [values.get(code) for code in GROUPS[group] if values.get(code) is not None]
    return sum(reported) if reported else None


def _is_yes(value):
    return value is True


def _positive(value):
    return value is not None and value > 0


def check(values: Mapping):
    """Every problem with these values: a list of `Problem`, empty when all rules hold."""
    problems = []
    for rule in RULES:
        problems.extend(rule(values))
    return problems


def raise_for_problems(values):
    """Raise a ValidationError naming each field with a blocking problem."""
    errors = {}
    for problem in check(values):
        if problem.blocking:
            key = "__all__" if problem.item in IDENTITY_FIELDS else problem.item
            errors.setdefault(key, []).append(problem.message)
    if errors:
        raise ValidationError(errors)


def institution_has_a_name(values):
    if not (values.get("inst_name") or values.get("inst_name_zh")):
        yield Problem(
            ("inst_name", "inst_name_zh"),
            _("Give the institution's name in Chinese or in English."),
        )


def therapy_clinic_and_ward_need_therapy(values):
    for code in ("svc_therapy_outpatient", "svc_therapy_ward"):
        if _is_yes(values.get(code)) and not _is_yes(values.get("svc_therapy")):
            yield Problem(
                (code, "svc_therapy"),
                _("“%(item)s” is only possible when “%(service)s” is yes.")
                % {"item": label(code), "service": label("svc_therapy")},
            )


def therapy_ward_needs_beds(values):
    if _is_yes(values.get("svc_therapy_ward")) and not _positive(values.get("therapy_beds")):
        yield Problem(
            ("therapy_beds", "svc_therapy_ward"),
            _("A therapy ward needs “%(beds)s” above 0.") % {"beds": label("therapy_beds")},
        )


def _at_most(part, part_value, whole, whole_value):
    return _("“%(part)s” (%(part_value)s) cannot be more than “%(whole)s” (%(whole_value)s).") % {
        "part": label(part),
        "part_value": f"{part_value:,}",
        "whole": label(whole),
        "whole_value": f"{whole_value:,}",
    }


def therapy_wards_need_the_ward_and_beds(values):
    wards, beds = values.get("therapy_wards"), values.get("therapy_beds")
    if _positive(wards) and not _is_yes(values.get("svc_therapy_ward")):
        yield Problem(
            ("therapy_wards", "svc_therapy_ward"),
            _("“%(item)s” is only possible when “%(service)s” is yes.")
            % {"item": label("therapy_wards"), "service": label("svc_therapy_ward")},
        )
    if wards is not None and beds is not None and wards > beds:
        yield Problem(
            ("therapy_wards", "therapy_beds"),
            _at_most("therapy_wards", wards, "therapy_beds", beds),
        )


def campuses_at_least_one(values):
    if values.get("campuses") == 0:
        yield Problem(
            ("campuses",),
            _("“%(item)s”, when given, is at least 1.") % {"item": label("campuses")},
        )


def inpatient_admissions_need_beds(values):
    admissions = values.get("svc_inpatient_admissions")
    if _positive(admissions) and not _positive(values.get("therapy_beds")):
        yield Problem(
            ("svc_inpatient_admissions", "therapy_beds"),
            _(
                "“%(item)s”: %(admissions)s, but “%(beds)s” is not above 0: check the beds "
                "or explain in a note."
            )
            % {
                "admissions": f"{admissions:,}",
                "item": label("svc_inpatient_admissions"),
                "beds": label("therapy_beds"),
            },
            blocking=False,
        )


def of_which_items_within_their_whole(values):
    """The dictionary's `of which:` rules: each such item at most its whole, an item or a
    group total (`instrument.OF_WHICH`)."""
    for part, whole in instrument.OF_WHICH.items():
        part_value = values.get(part)
        if whole in GROUPS:
            whole_value, whole_items = group_total(values, whole), GROUPS[whole]
        else:
            whole_value, whole_items = values.get(whole), (whole,)
        if part_value is not None and whole_value is not None and part_value > whole_value:
            yield Problem((part, *whole_items), _at_most(part, part_value, whole, whole_value))


def owners_account_for_every_imaging_unit(values):
    owners = group_total(values, "eq_owner_total")
    if owners is None:
        return
    imaging = (group_total(values, "eq_positron_total") or 0) + (
        group_total(values, "eq_single_photon_total") or 0
    )
    if owners != imaging:
        yield Problem(
            GROUPS["eq_owner_total"],
            _(
                "Imaging units by owning department add up to %(owners)s, but there are "
                "%(imaging)s positron and single-photon imaging units."
            )
            % {"owners": owners, "imaging": imaging},
        )


def _examinations_need_equipment(group, has_equipment, equipment_label):
    def rule(values):
        examinations = group_total(values, group)
        if _positive(examinations) and not has_equipment(values):
            yield Problem(
                GROUPS[group],
                _(
                    "%(exams)s examinations of “%(group)s” are reported without any "
                    "%(equipment)s: check the equipment section or explain in a note."
                )
                % {"exams": examinations, "group": label(group), "equipment": equipment_label},
                blocking=False,
            )

    return rule


def _items_need_yes(name, codes, flag, given=_is_yes):
    """The rule `name`: each of `codes`, when `given` (yes; or a count above 0), needs `flag`
    to be yes."""

    def rule(values):
        if _is_yes(values.get(flag)):
            return
        for code in codes:
            if given(values.get(code)):
                yield Problem(
                    (code, flag),
                    _("“%(item)s” needs “%(service)s” to be yes.")
                    % {"item": label(code), "service": label(flag)},
                )

    rule.__name__ = name
    return rule


positron_drugs_need_positron_use = _items_need_yes(
    "positron_drugs_need_positron_use", ("rp_f18", "rp_ga68", "rp_c11", "rp_n13"), "rp_positron"
)
radioligand_therapy_needs_lutetium = _items_need_yes(
    "radioligand_therapy_needs_lutetium",
    THERAPY_GROUPS["radioligand"],
    "rp_lu177",
    given=_positive,
)


_in_vitro_quality_needs_the_service = _items_need_yes(
    "in_vitro_quality_needs_the_service",
    ("iv_internal_qc", "iv_eqa_national", "iv_eqa_provincial", "iv_cnas_auditors"),
    "svc_in_vitro",
)


def in_vitro_items_need_the_service(values):
    if _positive(values.get("iv_samples")) and not _is_yes(values.get("svc_in_vitro")):
        yield Problem(
            ("iv_samples", "svc_in_vitro"),
            _("In vitro samples are reported, but “%(service)s” is not yes.")
            % {"service": label("svc_in_vitro")},
        )
    yield from _in_vitro_quality_needs_the_service(values)


# The small-animal imaging platform's service to others (research section, from 2028).
SMALL_ANIMAL_SERVICE = ("res_sa_projects_served", "res_sa_service_hours")


def small_animal_service_needs_equipment(values):
    served = [code for code in SMALL_ANIMAL_SERVICE if _positive(values.get(code))]
    if served and not _positive(group_total(values, "eq_small_animal_total")):
        yield Problem(
            SMALL_ANIMAL_SERVICE,
            _(
                "%(items)s reported without any small-animal imaging equipment: check the "
                "equipment section or explain in a note."
            )
            % {"items": "; ".join(f"“{label(code)}” {values[code]:,}" for code in served)},
            blocking=False,
        )


def tests_at_least_samples(values):
    samples, tests = values.get("iv_samples"), values.get("iv_tests")
    if samples is not None and tests is not None and tests < samples:
        yield Problem(
            ("iv_tests", "iv_samples"),
            _("Tests performed (%(tests)s) cannot be fewer than samples tested (%(samples)s).")
            % {"tests": tests, "samples": samples},
        )


def staff_breakdowns_agree(values):
    totals = {
        group: group_total(values, group)
        for group in ("staff_total", "title_total", "degree_total")
    }
    reported = {group: total for group, total in totals.items() if total is not None}
    if len(set(reported.values())) <= 1:
        return
    # Blame the breakdown that disagrees with the other two; by role when none agree.
    odd_one_out = "staff_total"
    for group in reported:
        others = [total for other, total in reported.items() if other != group]
        if len(others) == 2 and others[0] == others[1]:
            odd_one_out = group
    first_item = GROUPS[odd_one_out][0]
    yield Problem(
        (first_item,) + tuple(GROUPS[g][0] for g in reported if g != odd_one_out),
        _(
            "Staff must add up to the same number three ways: by role %(staff)s, by "
            "professional title %(title)s, by education %(degree)s."
        )
        % {
            "staff": _shown(totals["staff_total"]),
            "title": _shown(totals["title_total"]),
            "degree": _shown(totals["degree_total"]),
        },
    )


def _shown(total):
    return "—" if total is None else total


def suggestions_not_too_long(values):
    text = values.get("op_suggestions") or ""
    if len(text) > 2000:
        yield Problem(
            ("op_suggestions",),
            _("Opinions and suggestions are limited to 2000 characters (%(n)s given).")
            % {"n": len(text)},
        )


RULES = (
    institution_has_a_name,
    therapy_clinic_and_ward_need_therapy,
    therapy_ward_needs_beds,
    therapy_wards_need_the_ward_and_beds,
    campuses_at_least_one,
    inpatient_admissions_need_beds,
    of_which_items_within_their_whole,
    owners_account_for_every_imaging_unit,
    _examinations_need_equipment(
        "exam_pet_total",
        lambda v: _positive(v.get("eq_pet_ct")),
        gettext_lazy("PET or PET/CT units"),
    ),
    _examinations_need_equipment(
        "exam_petmri_total", lambda v: _positive(v.get("eq_pet_mri")), gettext_lazy("PET/MRI units")
    ),
    _examinations_need_equipment(
        "exam_sp_total",
        lambda v: _positive(group_total(v, "eq_single_photon_total")),
        gettext_lazy("single-photon imaging units"),
    ),
    # The contract's next edition (data-dictionary-2028.csv) carries these two as rules:
    # "needs eq_coincidence_spect_ct > 0 or a note", "needs small-animal equipment or a note".
    _examinations_need_equipment(
        "exam_coin_total",
        lambda v: _positive(v.get("eq_coincidence_spect_ct")),
        gettext_lazy("coincidence SPECT/CT units"),
    ),
    _examinations_need_equipment(
        "exam_sa_total",
        lambda v: _positive(group_total(v, "eq_small_animal_total")),
        gettext_lazy("small-animal imaging equipment"),
    ),
    positron_drugs_need_positron_use,
    radioligand_therapy_needs_lutetium,
    in_vitro_items_need_the_service,
    tests_at_least_samples,
    staff_breakdowns_agree,
    small_animal_service_needs_equipment,
    suggestions_not_too_long,
)


# ---------------------------------------------------------------------------------------------
# Data-quality warnings: values that may be right but need a word of explanation


@dataclass(frozen=True)
class QualityWarning:
    """A value that may be right but needs a word of explanation (kept in `Report.notes`).

    `legacy_keys` are the keys the same explanation was kept under before warnings were
    grouped (one explanation per item changing against last year, now one per group).
    """

    key: str
    items: tuple[str, ...]
    message: str
    legacy_keys: tuple[str, ...] = ()

    @property
    def item(self):
        return self.items[0]

    def explanation(self, notes):
        """The explanation given in `notes` (a report's), under this key or the legacy ones."""
        notes = notes or {}
        text = (notes.get(self.key) or "").strip()
        if text:
            return text
        legacy = [(notes.get(key) or "").strip() for key in self.legacy_keys]
        return "\n".join(dict.fromkeys(text for text in legacy if text))


# Treatments or examinations reported by a department that says it does not offer the service
# (the 2024 report's 801 departments treating against 763 ticking therapy is such a case).
SERVICE_EVIDENCE = (
    ("svc_therapy", "tx_total"),
    ("svc_pet", "exam_pet_total"),
    ("svc_single_photon", "exam_sp_total"),
    ("svc_coincidence", "exam_coin_total"),
)


def quality_warnings(values, previous_values=None, previous_year=None, year=None):
    """The data-quality warnings of these values, of the cycle of `year` (a list of
    `QualityWarning`).

    A count more than doubling or falling below half of last year's (`previous_year`'s), for
    the items both cycles ask; examinations without
    matching equipment (the non-blocking rules above); treatments or examinations
    without the service ticked.
    """
    warnings = []
    for problem in check(values):
        if not problem.blocking:
            warnings.append(QualityWarning(f"rule-{problem.item}", problem.items, problem.message))
    for service, group in SERVICE_EVIDENCE:
        total = group_total(values, group)
        if values.get(service) is False and total:
            warnings.append(
                QualityWarning(
                    f"service-{service}",
                    (service, *GROUPS[group]),
                    _(
                        "%(total)s reported under “%(group)s”, but “%(service)s” is no: "
                        "correct one of them or explain."
                    )
                    % {
                        "total": f"{total:,}",
                        "group": instrument.label(group),
                        "service": instrument.label(service),
                    },
                )
            )
    warnings += _change_warnings(values, previous_values, previous_year, year)
    return warnings


def _change_warnings(values, previous_values, previous_year, year):
    """Counts more than doubling or falling below half of last year's: one warning per group
    of the dictionary (one explanation for a department that doubled all its staff), one per
    item outside a group. Only items both cycles ask are compared, so a group whose items
    differ between the two (the 2028 `tx_total`) is compared over the items both ask, never
    as a whole."""
    if not previous_values:
        return []
    changed = {}
    for item in instrument.items():
        if not (item.asked_in(year) and item.asked_in(previous_year)):
            continue
        now, before = values.get(item.code), previous_values.get(item.code)
        if item.kind != COUNT or now is None or not before:
            continue
        if now > 2 * before or 2 * now < before:
            group = next((g for g, codes in GROUPS.items() if item.code in codes), None)
            changed.setdefault(group or item.code, []).append((item, now, before))
    warnings = []
    for key, entries in changed.items():
        if key in GROUPS:
            changes = "; ".join(
                f"“{item.label}” {now:,} ({before:,})" for item, now, before in entries
            )
            message = _(
                "“%(group)s”: more than double or less than half of %(year)s (in brackets): "
                "%(changes)s. Explain."
            ) % {"group": instrument.label(key), "year": previous_year, "changes": changes}
        else:
            item, now, before = entries[0]
            template = (
                _("%(now)s this year against %(before)s in %(year)s: more than double. Explain.")
                if now > before
                else _("%(now)s this year against %(before)s in %(year)s: less than half. Explain.")
            )
            message = f"“{item.label}”: " + template % {
                "now": f"{now:,}",
                "before": f"{before:,}",
                "year": previous_year,
            }
        warnings.append(
            QualityWarning(
                f"change-{key}",
                tuple(item.code for item, _now, _before in entries),
                message,
                legacy_keys=tuple(f"change-{item.code}" for item, _now, _before in entries),
            )
        )
    return warnings
