"""The brief report written from the data, in the active language, for the nation or a province.

Its sentences follow the 2024 brief report: "There are 772 units nationwide, an increase of
80.8% (up from 427 units in 2019)".
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from reports import metrics, privacy
from survey.instrument import GROUPS


@dataclass(frozen=True)
class Section:
    title: str
    paragraphs: list[str]


def _n(value):
    return "—" if value is None else f"{value:,}"


def _pct(value, digits=1):
    return "—" if value is None else f"{value:.{digits}f}%"


class _Writer:
    def __init__(self, comparison, baseline):
        self.c = comparison
        self.baseline = baseline
        self.values = {code: figure.value for code, figure in comparison.items()}

    def value(self, code):
        return _n(self.c[code].value)

    def share(self, code, digits=1):
        return _pct(metrics.share_pct(self.values, code), digits)

    def change(self, code):
        """ ", an increase of 80.8% (up from 427 in 2019)" or nothing without a baseline."""
        figure = self.c[code]
        if figure.growth_pct is None:
            return ""
        words = {
            "growth": f"{abs(figure.growth_pct):.1f}",
            "before": _n(figure.baseline),
            "year": self.baseline,
        }
        if figure.growth_pct >= 0:
            return _(", an increase of %(growth)s%% (up from %(before)s in %(year)s)") % words
        return _(", a decrease of %(growth)s%% (down from %(before)s in %(year)s)") % words

    def shares(self, codes, digits=1):
        return _("; ").join(
            f"{metrics.metrics()[code].label} {self.share(code, digits)}" for code in codes
        )


def write(*, year, baseline=None, province=None, disclosure=privacy.FULL_ACCESS):
    """The brief report as sections of paragraphs, with what `disclosure` lets its reader see:
    the analyst's carries every figure, the public's prints "—" for a suppressed one."""
    comparison = privacy.compare(
        year=year,
        baseline=baseline,
        province=province.code if province else None,
        disclosure=disclosure,
    )
    comparison = privacy.apply(comparison, disclosure)
    w = _Writer(comparison, baseline)
    where = province.name if province else _("nationwide")
    return [
        Section(
            _("Institutions and services"),
            [
                _(
                    "In %(year)s, %(n)s nuclear medicine departments reported %(where)s: %(tertiary)s "
                    "in tertiary hospitals (including %(top)s top-tier tertiary), %(secondary)s in "
                    "secondary hospitals and %(other)s in other institutions; %(public)s are public "
                    "and %(nonpublic)s non-public."
                )
                % {
                    "year": year,
                    "n": w.value("institutions"),
                    "where": where,
                    "tertiary": w.value("inst_tertiary"),
                    "top": w.value("inst_tertiary_top"),
                    "secondary": w.value("inst_secondary"),
                    "other": w.value("inst_tier_other"),
                    "public": w.value("inst_public"),
                    "nonpublic": w.value("inst_nonpublic"),
                },
                _(
                    "Services provided: single-photon imaging %(sp)s (%(sp_pct)s), radionuclide "
                    "therapy %(tx)s (%(tx_pct)s), PET imaging %(pet)s (%(pet_pct)s), organ function "
                    "measurement %(organ)s (%(organ_pct)s), in vitro analysis %(iv)s (%(iv_pct)s)."
                )
                % {
                    "sp": w.value("inst_svc_single_photon"),
                    "sp_pct": w.share("inst_svc_single_photon"),
                    "tx": w.value("inst_svc_therapy"),
                    "tx_pct": w.share("inst_svc_therapy"),
                    "pet": w.value("inst_svc_pet"),
                    "pet_pct": w.share("inst_svc_pet"),
                    "organ": w.value("inst_svc_organ_function"),
                    "organ_pct": w.share("inst_svc_organ_function"),
                    "iv": w.value("inst_svc_in_vitro"),
                    "iv_pct": w.share("inst_svc_in_vitro"),
                },
            ],
        ),
        Section(
            _("Equipment"),
            [
                _(
                    "There are %(units)s positron imaging units %(where)s%(change)s: %(petct)s PET "
                    "or PET/CT and %(petmri)s PET/MRI. %(with_pct)s of departments have positron "
                    "imaging equipment, %(tertiary_pct)s of them in tertiary hospitals."
                )
                % {
                    "units": w.value("eq_positron_total"),
                    "where": where,
                    "change": w.change("eq_positron_total"),
                    "petct": w.value("eq_pet_ct"),
                    "petmri": w.value("eq_pet_mri"),
                    "with_pct": w.share("inst_with_positron_equipment"),
                    "tertiary_pct": w.share("inst_with_positron_equipment_tertiary"),
                },
                _(
                    "There are %(units)s single-photon imaging units%(change)s, including "
                    "%(spectct)s SPECT/CT and %(spect)s SPECT, and %(cyclotrons)s medical "
                    "cyclotrons%(cyc_change)s in %(cyc_inst)s institutions."
                )
                % {
                    "units": w.value("eq_single_photon_total"),
                    "change": w.change("eq_single_photon_total"),
                    "spectct": w.value("eq_spect_ct"),
                    "spect": w.value("eq_spect"),
                    "cyclotrons": w.value("eq_cyclotron"),
                    "cyc_change": w.change("eq_cyclotron"),
                    "cyc_inst": w.value("inst_with_cyclotron"),
                },
            ],
        ),
        Section(
            _("Examinations"),
            [
                _(
                    "%(pet)s PET or PET/CT examinations were performed%(pet_change)s; by category: "
                    "%(pet_shares)s."
                )
                % {
                    "pet": w.value("exam_pet_total"),
                    "pet_change": w.change("exam_pet_total"),
                    "pet_shares": w.shares(GROUPS["exam_pet_total"], 2),
                },
                _(
                    "PET/MRI examinations: %(petmri)s%(petmri_change)s. Single-photon imaging "
                    "examinations: %(sp)s%(sp_change)s. Coincidence imaging examinations: "
                    "%(coin)s%(coin_change)s."
                )
                % {
                    "petmri": w.value("exam_petmri_total"),
                    "petmri_change": w.change("exam_petmri_total"),
                    "sp": w.value("exam_sp_total"),
                    "sp_change": w.change("exam_sp_total"),
                    "coin": w.value("exam_coin_total"),
                    "coin_change": w.change("exam_coin_total"),
                },
            ],
        ),
        Section(
            _("Radiopharmaceuticals"),
            [
                _(
                    "Use licences: class II %(ii)s, class III %(iii)s, class IV %(iv)s institutions. "
                    "%(sp)s institutions use single-photon and %(pos)s positron radiopharmaceuticals "
                    "(18F %(f18)s, 68Ga %(ga68)s, 11C %(c11)s, 13N %(n13)s)."
                )
                % {
                    "ii": w.value("inst_license_II"),
                    "iii": w.value("inst_license_III"),
                    "iv": w.value("inst_license_IV"),
                    "sp": w.value("inst_rp_single_photon"),
                    "pos": w.value("inst_rp_positron"),
                    "f18": w.value("inst_rp_f18"),
                    "ga68": w.value("inst_rp_ga68"),
                    "c11": w.value("inst_rp_c11"),
                    "n13": w.value("inst_rp_n13"),
                },
            ],
        ),
        Section(
            _("Radionuclide therapy"),
            [
                _(
                    "%(n)s institutions (%(pct)s) perform radionuclide therapy%(change)s, with "
                    "%(beds)s dedicated beds. They gave %(tx)s treatments%(tx_change)s: "
                    "%(shares)s."
                )
                % {
                    "n": w.value("inst_therapy"),
                    "pct": w.share("inst_therapy"),
                    "change": w.change("inst_therapy"),
                    "beds": w.value("therapy_beds"),
                    "tx": w.value("tx_total"),
                    "tx_change": w.change("tx_total"),
                    "shares": w.shares(GROUPS["tx_total"]),
                },
            ],
        ),
        Section(
            _("In vitro analysis"),
            [
                _(
                    "%(n)s institutions tested %(samples)s samples in %(tests)s tests; "
                    "%(qc)s perform internal quality control and %(eqa)s take part in the national "
                    "interlaboratory quality evaluation."
                )
                % {
                    "n": w.value("inst_in_vitro"),
                    "samples": w.value("iv_samples"),
                    "tests": w.value("iv_tests"),
                    "qc": w.share("inst_iv_internal_qc"),
                    "eqa": w.share("inst_iv_eqa_national"),
                },
            ],
        ),
        Section(
            _("Personnel"),
            [
                _(
                    "%(n)s people work in nuclear medicine %(where)s%(change)s. By role: %(roles)s. "
                    "By title: %(titles)s. By education: %(degrees)s."
                )
                % {
                    "n": w.value("staff_total"),
                    "where": where,
                    "change": w.change("staff_total"),
                    "roles": w.shares(GROUPS["staff_total"]),
                    "titles": w.shares(GROUPS["title_total"]),
                    "degrees": w.shares(GROUPS["degree_total"]),
                },
            ],
        ),
        Section(
            _("Education and research"),
            [
                _(
                    "%(dsup)s doctoral and %(msup)s master's supervisors train %(dstu)s doctoral and "
                    "%(mstu)s master's students."
                )
                % {
                    "dsup": w.value("edu_doctoral_supervisors"),
                    "msup": w.value("edu_master_supervisors"),
                    "dstu": w.value("edu_doctoral_students"),
                    "mstu": w.value("edu_master_students"),
                },
            ],
        ),
        Section(
            _("Opinions"),
            [
                _(
                    "%(lack)s of departments say a lack of nuclear medicine specialists limits their "
                    "development, and %(economy)s regional economic factors."
                )
                % {
                    "lack": w.share("inst_op_lack_specialists", 0),
                    "economy": w.share("inst_op_regional_economy", 0),
                },
            ],
        ),
    ]


def as_text(sections):
    """The report as plain text for download."""
    return (
        "\n\n".join(f"{section.title}\n" + "\n".join(section.paragraphs) for section in sections)
        + "\n"
    )
