"""Deterministic demo survey: the 2019 and 2023 reports behind the society's publications.

A tool, not part of the site: `manage.py build_demo` writes what it makes to fixtures/demo/
(`demo_files()`), and `manage.py load_demo` loads those files through the importer
(`demo.loading`); `tests/test_demo.py` checks them against the generator and, once loaded,
against every figure of published-2023.csv, `tests/test_demo_2019.py` against every figure of
published-2019.csv.

`generate_demo_rows()` invents the departments of 2023 and a 2019 baseline of mostly the same
ones, whose figures reproduce every row of fixtures/survey/published-2023.csv after the report's
own rounding, and with it the report's two known inconsistencies, and every row of
published-2019.csv within its tolerance, nationally and in the four provinces it names, but its
printed share of skeletal examinations ("50%"), which contradicts its own count of them (1.58
million of 2.51 million is 63%): the data follow the count. Where both publications print a
2019 figure, the 2024 report's exact count is the demo's (2,514,142 single-photon examinations,
within "251万" ± 5,000; `PublishedFigures` refuses the two if they disagree). The printed
figures are read from those files and met by construction, never by search:

- a printed number of institutions is met by choosing exactly that many (seeded, weighted);
- a printed sum is split over the institutions that have the item, by largest remainder;
- a printed breakdown (staff by role, examinations by system) is a table whose row and column
  totals are both fixed, filled one column at a time; in 2019, the parts the publication prints
  (tumour PET, skeletal single-photon examinations, 131I and 89Sr treatments) are the columns
  and the unprinted parts share the rest in their 2023 proportions.

Where departments are (invented, by one rule for both years; `nuclear_medicine_weights`): each
province's development factor is (its GDP per capita / the nation's) ** DEVELOPMENT_EXPONENT,
times NATIONAL_HUB_FACTOR in Beijing and Shanghai, whose national hospitals draw patients from
every province (GDP per capita and the two hubs in fixtures/demo/province-weights.csv,
approximate); its weight is its resident population (provinces.csv, the same for both years)
times that factor. The 2023 departments are shared out over the provinces in proportion to
these weights, by largest remainder, and a province left below MINIMUM_DEPARTMENTS (three) is
raised to it, the departments taken one at a time from the largest share; the top-tier
hospitals are shared out by the same weights, the other levels dealt at random; the
institutions closed since 2019 are drawn by the weights too. Positron equipment then follows
development beyond the departments: the stand-alone PET/CT centres, the non-tertiary
departments with PET, the second and third PET/CT and the cyclotron and PET/MRI sites and
their further units are chosen with a weight of the department's size (as elsewhere) times its
province's development factor; examinations and treatments follow each department's size and
scanners as elsewhere. So Beijing and Shanghai have the most positron units, cyclotrons and
PET/MRI per million residents, and none of the poorer western provinces (Gansu, Guizhou,
Tibet, Qinghai, Ningxia) is among the five with the most positron units per million. The 2019 positron units of the provinces the 2019
publication names are exactly its figures (Guangdong 44, Beijing 35, Shanghai 35, Shanxi
10); the other provinces share the rest of the national 427 in proportion to their 2023
units, each at least those installed there already (the first PET/CT beside each 2019
cyclotron, the first PET/MRIs) and at most all of its 2023 ones. The positron departments of
2023 in the four named provinces all reported in 2019 (none is new since), so that those
counts can always be met.

Everything the publications do not print is made plausible around those figures: a cyclotron
stands beside a PET/CT, examinations follow the scanners, 2019 has fewer of both.
"""

import csv
import io
import json
import math
import random
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.conf import settings

from demo.loading import DEMO_DIR, WORKFLOW_FILE, survey_file_name
from departments.models import DeptAffiliation
from interchange import exporting
from reports.consistency import PUBLISHED_2019_CSV, PUBLISHED_CSV
from survey.instrument import items as instrument
from survey.instrument.items import GROUPS
from survey.models import ReportStatus

SEED = 20240501
YEAR, BASELINE = 2023, 2019

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
PROVINCES_CSV = FIXTURES / "survey" / "provinces.csv"
PLACES_JSON = FIXTURES / "demo" / "places.json"
PROVINCE_WEIGHTS_CSV = FIXTURES / "demo" / "province-weights.csv"

TEACHING, PROVINCIAL, CITY, PRIVATE, IMAGING_CENTRE = (
    "teaching",
    "provincial",
    "city",
    "private",
    "imaging_centre",
)

# The shape of the landscape where the report prints nothing: how many of a kind there are.
IMAGING_CENTRES = 52  # stand-alone PET/CT centres, the "other" hospital level with PET
TEACHING_SHARE_OF_TOP_TIER = 0.45  # public top-tier hospitals that are university hospitals
PROVINCIAL_SHARE_OF_TOP_TIER = 0.12
PETMRI_SITES, PETMRI_ONLY_SITES = 48, 3
PET_SITES_WITHOUT_SINGLE_PHOTON = 40
SPECT_WITHOUT_CT_SITES = 180  # single-photon departments whose first camera has no CT
BONE_DENSITOMETER_ONLY_SITES = 60
SMALL_ANIMAL_SITES = 40
GA68_PETMRI_SITES, C11_PETMRI_SITES = 8, 4
THERAPY_WITHOUT_IMAGING = 40
UNTICKED_YUNKE_ONLY = 12
OUTPATIENT_THYROID_CANCER_SITES = 150
P32_SITES, P32_ONLY_SITES = 96, 40
SEED_IMPLANT_SITES, OTHER_THERAPY_SITES = 150, 90
DOCTORAL_SUPERVISION_SITES, MASTER_SUPERVISION_SITES = 60, 200
RESIDENT_TRAINING_BASES = 180
# Where departments are (see `nuclear_medicine_weights`): the national hospitals of Beijing and
# Shanghai, and the patients who travel to them, count this many times their population; and
# economic development draws departments beyond population by this power of GDP per capita.
NATIONAL_HUB_FACTOR = 2.5
DEVELOPMENT_EXPONENT = 0.5
MINIMUM_DEPARTMENTS = 3  # a floor: even the smallest province has its capital's few
# 2019: who came and went (those new since are the 2023 count less the 2019 one plus these),
# and what changed in between.
CLOSED_SINCE_2019 = 24
PETMRI_SITES_2019 = 20
RETIRED_COINCIDENCE_SITES = 25  # coincidence cameras replaced by a PET/CT since 2019
UPGRADED_TO_TOP_TIER, UPGRADED_TO_TERTIARY = 30, 15

TIER_SCALE = {"tertiary_top": 1.0, "tertiary": 0.55, "secondary": 0.32, "other": 0.3}
KIND_SCALE = {TEACHING: 1.5, PROVINCIAL: 1.3, IMAGING_CENTRE: 0.6}


# The demo's cycles ask the same items: those are what it draws, never an item a later edition
# adds (such an item has no value in its rows and no column in its files, see `demo_files`).
def asked_in_the_demo(codes):
    """Of `codes`, those both cycles of the demo ask."""
    return tuple(
        code for code in codes if all(instrument.is_asked(code, year) for year in (BASELINE, YEAR))
    )


def parts_of(group):
    """The items of `group` that the demo's cycles ask."""
    return asked_in_the_demo(GROUPS[group])


POSITRON = parts_of("eq_positron_total")
SINGLE_PHOTON = parts_of("eq_single_photon_total")
ORGAN_FUNCTION = parts_of("eq_organ_function_total")
SMALL_ANIMAL = parts_of("eq_small_animal_total")
OWNERS = parts_of("eq_owner_total")
EQUIPMENT = POSITRON + SINGLE_PHOTON + ORGAN_FUNCTION + ("eq_cyclotron",) + SMALL_ANIMAL + OWNERS
TREATMENTS = parts_of("tx_total")
# The scanners each group of examinations is performed on (as the rules of survey.instrument.rules see it).
EXAM_SCANNERS = {
    "exam_pet_total": ("eq_pet_ct",),
    "exam_petmri_total": ("eq_pet_mri",),
    "exam_sp_total": SINGLE_PHOTON,
    "exam_coin_total": ("eq_coincidence_spect_ct",),
}
IN_VITRO_FLAGS = ("iv_internal_qc", "iv_eqa_national", "iv_eqa_provincial", "iv_cnas_auditors")
EDUCATION_COUNTS = asked_in_the_demo(
    item.code for item in instrument.section_items("education") if item.kind == instrument.COUNT
)
RESEARCH = asked_in_the_demo(
    item.code for item in instrument.section_items("research") if item.kind == instrument.COUNT
)
# Mean research output of a top-tier department of typical size, per item.
# An item not named here (one added to the instrument later) gets RESEARCH_MEAN_DEFAULT.
RESEARCH_MEAN = {
    "res_papers_sci": 4.0,
    "res_papers_core": 6.0,
    "res_grants_national": 1.2,
    "res_grants_provincial": 2.0,
    "res_patents_applied": 0.8,
    "res_patents_granted": 0.4,
    "res_awards": 0.2,
}
RESEARCH_MEAN_DEFAULT = 0.5
RESEARCH_MEANS = {code: RESEARCH_MEAN.get(code, RESEARCH_MEAN_DEFAULT) for code in RESEARCH}
OWNER_BY_AFFILIATION = {
    "independent": "eq_owner_nm",
    "medical_imaging": "eq_owner_imaging",
    "pet_ct_center": "eq_owner_pet_center",
    "radiology": "eq_owner_radiology",
    "other": "eq_owner_other",
}
# The order a breakdown is filled in, the last column taking what is left in each row: the
# columns that only some departments can have come first, the bulk of each breakdown last.
# Only a priority: the group's items are read from the instrument (see `fill_order`).
EXAM_FILL_ORDER = {
    "exam_pet_total": (
        "exam_pet_ga68",
        "exam_pet_c11",
        "exam_pet_biopsy",
        "exam_pet_cardio",
        "exam_pet_bone",
        "exam_pet_other",
        "exam_pet_neuro",
        "exam_pet_tumor",
    ),
    "exam_petmri_total": (
        "exam_petmri_ga68",
        "exam_petmri_c11",
        "exam_petmri_cardio",
        "exam_petmri_other",
        "exam_petmri_neuro",
        "exam_petmri_tumor",
    ),
    "exam_sp_total": (
        "exam_sp_digestive",
        "exam_sp_cardio",
        "exam_sp_urinary",
        "exam_sp_endocrine",
        "exam_sp_other",
        "exam_sp_skeletal",
    ),
    "exam_coin_total": ("exam_coin_other", "exam_coin_cardio", "exam_coin_bone", "exam_coin_tumor"),
}
# The group items that the report does not print, so they take what the printed shares leave.
UNPRINTED_PART = {
    "exam_petmri_total": "exam_petmri_other",
    "exam_sp_total": "exam_sp_other",
    "tx_total": "tx_other",
}
EXAM_MINIMUM = {"exam_pet_total": 150, "exam_petmri_total": 50, "exam_sp_total": 100}
EXAM_MINIMUM_DEFAULT = 20
# Which small-animal scanners each kind of small-animal case is imaged on.
SMALL_ANIMAL_SCANNERS = {
    "exam_sa_pet_ct": ("eq_sa_pet_ct",),
    "exam_sa_spect_pet_ct": ("eq_sa_spect_pet_ct",),
    "exam_sa_optical": ("eq_sa_optical",),
    "exam_sa_pet_mri": ("eq_sa_pet_mri",),
    "exam_sa_spect_ct": ("eq_sa_spect_ct",),
    "exam_sa_pet": ("eq_sa_other",),
    "exam_sa_ct": ("eq_sa_other",),
    "exam_sa_other": ("eq_sa_other",),
}
# The same for the personnel breakdowns.
ROLE_FILL_ORDER = (
    "staff_engineers",
    "staff_researchers",
    "staff_physicists",
    "staff_chemists",
    "staff_other",
    "staff_nurses",
    "staff_technicians",
    "staff_physicians",
)
TITLE_FILL_ORDER = ("title_other", "title_senior", "title_junior", "title_intermediate")
DEGREE_FILL_ORDER = ("degree_college", "degree_postgraduate", "degree_undergraduate")
PERSONNEL_FILL_ORDER = {
    "staff_total": ROLE_FILL_ORDER,
    "title_total": TITLE_FILL_ORDER,
    "degree_total": DEGREE_FILL_ORDER,
}


def fill_order(group, priority):
    """The items of `group` in the order they are filled: `priority` first, the last named item
    last; an item it does not name fills in just before that last one, in dictionary order."""
    codes = parts_of(group)
    named = [code for code in priority if code in codes]
    *first, last = named or codes
    rest = [code for code in codes if code not in first and code != last]
    return (*first, *rest, last)


# Provinces where regional economics weigh more on a department's development.
LESS_DEVELOPED = {"14", "15", "22", "23", "45", "52", "53", "54", "62", "63", "64", "65"}
SUGGESTIONS = (
    "希望加强核医学专业人才培养，增加住院医师规范化培训名额。",
    "建议简化放射性药品使用许可的审批流程。",
    "希望医保覆盖更多核素治疗项目。",
    "建议加强基层医院核医学设备配置与技术培训。",
    "建议合理调整核医学检查与治疗的收费标准。",
    "希望在省内建立放射性药物区域配送中心。",
)
SUGGESTION_RATE = 0.06
# The column of a breakdown that holds what the printed parts leave.
REST = "rest"


# Whole-number allocation ----------------------------------------------------------------------


def apportion(total, weights, *, caps=None, minimum=0):
    """`total` split into whole numbers in proportion to `weights`, by largest remainder.

    A share with a positive weight gets at least `minimum` and at most its cap; a share with no
    weight gets 0. Raises ValueError when the caps or the minimum make the split impossible.
    """
    shares = [0] * len(weights)
    eligible = [i for i, weight in enumerate(weights) if weight > 0]
    room = {}
    for i in eligible:
        cap = math.inf if caps is None else caps[i]
        if cap < minimum:
            raise ValueError(f"a cap of {cap} is below the minimum of {minimum}")
        shares[i] = minimum
        room[i] = cap - minimum
    left = total - minimum * len(eligible)
    if left < 0 or left > sum(room.values()):
        raise ValueError(f"{total} cannot be split over {len(eligible)} shares")
    quotas = _fill_to_caps(left, {i: weights[i] for i in eligible}, room)
    for i, quota in quotas.items():
        shares[i] += math.floor(quota)
        left -= math.floor(quota)
    by_remainder = sorted(quotas, key=lambda i: (math.floor(quotas[i]) - quotas[i], i))
    while left > 0:
        for i in by_remainder:
            if left and shares[i] < minimum + room[i]:
                shares[i] += 1
                left -= 1
    return shares


def _fill_to_caps(total, weights, room):
    """Proportional quotas of `total`, those that would overflow their room held at it."""
    quotas = {}
    free = dict(weights)
    while free:
        scale = total / sum(free.values())
        full = [i for i, weight in free.items() if weight * scale >= room[i]]
        if not full:
            quotas.update({i: weight * scale for i, weight in free.items()})
            break
        for i in full:
            quotas[i] = room[i]
            total -= room[i]
            del free[i]
    return quotas


def apportion_with_floor(total, weights, floor):
    """`total` split in proportion to `weights` (see `apportion`), then every share below
    `floor` raised to it, one unit at a time taken from the largest share.

    Unlike `apportion`'s `minimum`, which every share gets before the proportional split, the
    floor moves only the shares that would fall below it.
    """
    shares = apportion(total, weights)
    if floor * len(shares) > total:
        raise ValueError(f"{total} cannot give {len(shares)} shares {floor} each")
    for i in range(len(shares)):
        while shares[i] < floor:
            shares[max(range(len(shares)), key=lambda j: (shares[j], -j))] -= 1
            shares[i] += 1
    return shares


def choose(rng, candidates, k, weight=None):
    """`k` of `candidates`, drawn without replacement, likelier the greater their `weight`.

    Efraimidis-Spirakis keys: one draw per candidate, so the result depends only on the seed
    and the order of the candidates. Returned in the candidates' order.
    """
    keyed = []
    for position, candidate in enumerate(candidates):
        draw = 1.0 - rng.random()
        strength = 1.0 if weight is None else weight(candidate)
        if strength > 0:
            keyed.append((math.log(draw) / strength, position))
    if len(keyed) < k:
        raise ValueError(f"cannot choose {k} of {len(keyed)} candidates")
    chosen = {position for _, position in sorted(keyed, reverse=True)[:k]}
    return [candidate for position, candidate in enumerate(candidates) if position in chosen]


def choose_preferring(rng, preferred, others, k, weight=None, *, at_most=None):
    """`k` candidates, up to `at_most` (all `k` by default) of them from `preferred` first."""
    first = min(k if at_most is None else at_most, len(preferred))
    picked = choose(rng, preferred, first, weight)
    taken = set(picked)
    rest = [candidate for candidate in others if candidate not in taken]
    return sorted(picked + choose(rng, rest, k - first, weight))


def fill_table(rng, row_totals, column_totals, affinity, *, spread=0.3):
    """A table of whole numbers whose row and column totals are the given ones.

    Columns are filled in the order of `column_totals`, each split over the rows in proportion
    to what the row has left times `affinity(row, column)` (with seeded noise); the last column
    takes what is left in every row. Returns {column: [value per row]}.
    """
    if sum(row_totals) != sum(column_totals.values()):
        raise ValueError("the row and column totals differ")
    left = list(row_totals)
    *columns, last = column_totals
    table = {}
    for column in columns:
        weights = [
            room * affinity(row, column) * rng.lognormvariate(0, spread)
            for row, room in enumerate(left)
        ]
        table[column] = apportion(column_totals[column], weights, caps=left)
        left = [room - taken for room, taken in zip(left, table[column], strict=True)]
    table[last] = left
    return table


def _noisy(rng, mean, spread=0.6):
    return round(mean * rng.lognormvariate(0, spread))


# The published figures ------------------------------------------------------------------------


class PublishedFigures:
    """The figures of published-2023.csv and published-2019.csv, as the whole numbers the demo
    data must have."""

    def __init__(self, path=PUBLISHED_CSV, baseline_path=PUBLISHED_2019_CSV):
        with open(path, encoding="utf-8") as f:
            self.printed = {
                (row["metric"], int(row["year"]), row["unit"]): row["value"]
                for row in csv.DictReader(f)
            }
        with open(baseline_path, encoding="utf-8") as f:
            self.printed_2019 = {
                (row["metric"], row["scope"], row["unit"]): row for row in csv.DictReader(f)
            }
        self._check_where_both_print()

    def _check_where_both_print(self):
        # The 2024 report's exact 2019 counts are what the demo has: where the 2019
        # publication prints the same figure rounded, the two must agree within its tolerance.
        for (metric, scope, unit), row in self.printed_2019.items():
            exact = self.printed.get((metric, BASELINE, unit))
            if scope == "national" and exact is not None:
                if abs(Decimal(exact) - Decimal(row["value"])) > Decimal(row["tolerance"]):
                    raise ValueError(f"the two publications disagree on {metric} of {BASELINE}")

    def count(self, metric, year=YEAR):
        """The printed count of `metric` in `year`; of 2019, the 2024 report's where it
        prints one, else the 2019 publication's (a rounded one at its printed value)."""
        if (metric, year, "count") in self.printed or year != BASELINE:
            return int(self.printed[(metric, year, "count")])
        return int(self.printed_2019[(metric, "national", "count")]["value"])

    def prints_2019(self, code):
        """Whether the 2019 publication prints a national figure of `code`."""
        return any((code, "national", unit) in self.printed_2019 for unit in ("count", "percent"))

    def provincial_counts(self, metric):
        """{province code: count} of `metric` in 2019, for the provinces the 2019 publication names."""
        return {
            scope: int(row["value"])
            for (code, scope, unit), row in self.printed_2019.items()
            if code == metric and scope != "national" and unit == "count"
        }

    def baseline_parts(self, total, group):
        """The 2019 `total` of `group` as {item code: part}: the parts the 2019 publication
        prints as it prints them, the others sharing the rest in their 2023 proportions.

        A printed count is taken before a printed share: the publication's share of skeletal
        examinations (50%) contradicts its own count of them (1.58 million of 2.51 million).
        """
        printed = {}
        for code in parts_of(group):
            count = self.printed_2019.get((code, "national", "count"))
            share = self.printed_2019.get((code, "national", "percent"))
            if count:
                printed[code] = int(count["value"])
            elif share and share["base"] == group:
                printed[code] = round(Decimal(share["value"]) * total / 100)
        mix = self.split(self.count(group), group)
        rest = [code for code in parts_of(group) if code not in printed]
        shares = apportion(total - sum(printed.values()), [mix[code] for code in rest])
        return printed | dict(zip(rest, shares, strict=True))

    def share_count(self, metric, base):
        """The count closest to the printed percentage of `base` that rounds back to it."""
        return counts_printed_as(self.printed[(metric, YEAR, "percent")], base)[0]

    def parts(self, total, metrics, *, unprinted=None):
        """`total` in whole parts, one per metric, each rounding to its printed share.

        The parts add up to `total`; with `unprinted`, that key takes what the printed leave.
        """
        options = {
            metric: counts_printed_as(self.printed[(metric, YEAR, "percent")], total)
            for metric in metrics
        }
        parts = {metric: options[metric][0] for metric in metrics}
        while (excess := sum(parts.values()) - total) > 0 or (excess < 0 and not unprinted):
            step = -1 if excess > 0 else 1
            movable = [metric for metric in metrics if parts[metric] + step in options[metric]]
            if not movable:
                raise ValueError(f"the printed shares of {metrics} cannot add up to {total}")
            # The biggest part absorbs the rounding: it changes its share the least.
            parts[max(movable, key=lambda metric: parts[metric])] += step
        if unprinted:
            parts[unprinted] = total - sum(parts.values())
        return parts

    def split(self, total, group):
        """`total` as whole parts of `group`: {item code: part}, in the group's order.

        An item the report prints no share of (one added to the instrument since) gets 0.
        """
        unprinted = UNPRINTED_PART.get(group)
        printed = [
            code
            for code in parts_of(group)
            if code != unprinted and (code, YEAR, "percent") in self.printed
        ]
        parts = self.parts(total, printed, unprinted=unprinted)
        return {code: parts.get(code, 0) for code in parts_of(group)}


def _rounds_to(printed, count, base):
    # The same arithmetic as reports.consistency, so that "rounds to" means the same there.
    decimals = len(printed.partition(".")[2])
    return round(Decimal(str(100 * count / base)), decimals) == Decimal(printed)


def counts_printed_as(printed, base):
    """Every count whose percentage of `base` is printed as `printed`, the closest first."""
    exact = Decimal(printed) * base / 100
    reach = math.ceil(base * Decimal(10) ** -len(printed.partition(".")[2]) / 100) + 2
    centre = int(exact.to_integral_value())
    nearby = range(max(0, centre - reach), centre + reach + 1)
    counts = sorted(
        (count for count in nearby if _rounds_to(printed, count, base)),
        key=lambda count: (abs(count - exact), count),
    )
    if not counts:
        raise ValueError(f"no count of {base} is printed as {printed}%")
    return counts


# The institutions -----------------------------------------------------------------------------


@dataclass
class Hospital:
    """A demo institution: its identity and the traits its reports are drawn from."""

    province: str
    tier: str
    kind: str = CITY
    ownership: str = "public"
    affiliation: str = "independent"
    size: float = 1.0  # the department's scale, a typical top-tier one being 1
    development: float = 1.0  # its province's, see `development_factors`
    code: str = ""
    name_zh: str = ""
    name_en: str = ""

    @property
    def is_tertiary(self):
        return self.tier in ("tertiary_top", "tertiary")

    @property
    def is_top_tier(self):
        return self.tier == "tertiary_top"


def _read_provinces():
    with PROVINCES_CSV.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def development_factors(provinces):
    """{province code: its development factor}: (its GDP per capita / the nation's) **
    DEVELOPMENT_EXPONENT, times NATIONAL_HUB_FACTOR in the two national medical hubs
    (fixtures/demo/province-weights.csv)."""
    with PROVINCE_WEIGHTS_CSV.open(encoding="utf-8") as f:
        traits = {row["code"]: row for row in csv.DictReader(f)}
    population = {p["code"]: float(p["population_2023_10k"]) for p in provinces}
    gdp = {
        code: population[code] * float(traits[code]["gdp_per_capita_2023_kyuan"])
        for code in population
    }
    national_gdp_per_capita = sum(gdp.values()) / sum(population.values())
    factors = {}
    for code, people in population.items():
        development = (gdp[code] / people / national_gdp_per_capita) ** DEVELOPMENT_EXPONENT
        hub = NATIONAL_HUB_FACTOR if traits[code]["national_medical_hub"] == "1" else 1.0
        factors[code] = development * hub
    return factors


def nuclear_medicine_weights(provinces):
    """{province code: its weight in the demo's departments}: resident population times its
    development factor (`development_factors`)."""
    factors = development_factors(provinces)
    return {p["code"]: float(p["population_2023_10k"]) * factors[p["code"]] for p in provinces}


def register_hospitals(rng, published):
    """The institutions reporting in 2023, and those that reported in 2019 only."""
    provinces = _read_provinces()
    count = published.count("institutions")
    weights = nuclear_medicine_weights(provinces)
    development = development_factors(provinces)
    shares = [weights[p["code"]] for p in provinces]
    per_province = apportion_with_floor(count, shares, MINIMUM_DEPARTMENTS)
    # The top-tier hospitals by the same weights, the other levels dealt at random.
    top_tier = apportion(published.count("inst_tertiary_top"), shares, caps=per_province)
    tiers = [tier for tier in _tiers(published) if tier != "tertiary_top"]
    rng.shuffle(tiers)
    hospitals = []
    for province, number, top in zip(provinces, per_province, top_tier, strict=True):
        levels = ["tertiary_top"] * top + [tiers.pop() for _ in range(number - top)]
        hospitals += [Hospital(province["code"], tier) for tier in levels]
    for hospital in hospitals:
        hospital.development = development[hospital.province]
    everyone = range(len(hospitals))
    # Stand-alone PET/CT centres are businesses: they open where patients can pay.
    for i in choose(
        rng,
        [i for i in everyone if hospitals[i].tier == "other"],
        IMAGING_CENTRES,
        lambda i: hospitals[i].development,
    ):
        hospitals[i].kind = IMAGING_CENTRE
    nonpublic_weight = {"tertiary_top": 0.15, "tertiary": 2, "secondary": 2.5, "other": 4}
    for i in choose(
        rng,
        everyone,
        published.count("inst_nonpublic"),
        lambda i: (
            50
            if hospitals[i].kind == IMAGING_CENTRE
            else nonpublic_weight.get(hospitals[i].tier, 2)
        ),
    ):
        hospitals[i].ownership = "nonpublic"
    for hospital in hospitals:
        _settle_kind(rng, hospital)
    _affiliate(rng, hospitals, published)
    closed = _closed_since_baseline(rng, hospitals, provinces, weights)
    _name_and_code(rng, hospitals + closed, provinces)
    return hospitals, closed


def _tiers(published):
    top, tertiary = published.count("inst_tertiary_top"), published.count("inst_tertiary")
    tiers = ["tertiary_top"] * top + ["tertiary"] * (tertiary - top)
    tiers += ["secondary"] * published.count("inst_secondary")
    tiers += ["other"] * published.count("inst_tier_other")
    # Any institution left over did not say its level.
    return tiers + [""] * (published.count("institutions") - len(tiers))


def _settle_kind(rng, hospital):
    """The hospital's kind (unless an imaging centre) and the size of its department."""
    if hospital.kind != IMAGING_CENTRE and hospital.ownership == "nonpublic":
        hospital.kind = PRIVATE
    elif hospital.kind != IMAGING_CENTRE and hospital.is_top_tier:
        draw = rng.random()
        if draw < TEACHING_SHARE_OF_TOP_TIER:
            hospital.kind = TEACHING
        elif draw < TEACHING_SHARE_OF_TOP_TIER + PROVINCIAL_SHARE_OF_TOP_TIER:
            hospital.kind = PROVINCIAL
    scale = TIER_SCALE.get(hospital.tier, 0.3) * KIND_SCALE.get(hospital.kind, 1.0)
    hospital.size = scale * rng.lognormvariate(0, 0.4)


def _affiliate(rng, hospitals, published):
    """Where the nuclear-medicine unit sits in its hospital, in the printed proportions."""
    counts = published.parts(
        len(hospitals), [f"inst_affiliation_{value}" for value in DeptAffiliation.values]
    )
    unplaced = list(range(len(hospitals)))
    # Hospitals start as independent departments; these are the exceptions.
    for value in ("pet_ct_center", "radiology", "medical_imaging", "other"):
        placed = set(
            choose(
                rng,
                unplaced,
                counts[f"inst_affiliation_{value}"],
                lambda i, value=value: _affiliation_weight(value, hospitals[i]),
            )
        )
        for i in placed:
            hospitals[i].affiliation = value
        unplaced = [i for i in unplaced if i not in placed]


def _affiliation_weight(value, hospital):
    centre = hospital.kind == IMAGING_CENTRE
    if value == "pet_ct_center":
        return 100 if centre else 0.01
    if value == "radiology":
        return {"secondary": 3, "other": 2, "tertiary": 1}.get(hospital.tier, 0.3)
    if value == "medical_imaging":
        return 2 if hospital.tier == "tertiary" else 1
    return 5 if centre else 2 if hospital.kind == PRIVATE else 1


def _closed_since_baseline(rng, hospitals, provinces, weights):
    """Institutions that reported in 2019 but no longer exist: small public and private ones."""
    closed = []
    for _ in range(CLOSED_SINCE_2019):
        province = rng.choices(provinces, [weights[p["code"]] for p in provinces])[0]["code"]
        hospital = Hospital(province, rng.choice(["tertiary", "secondary", "secondary", "other"]))
        if rng.random() < 0.25:
            hospital.ownership = "nonpublic"
        _settle_kind(rng, hospital)
        closed.append(hospital)
    return closed


# Names and codes ------------------------------------------------------------------------------

ORDINALS = (
    ("一", "First"),
    ("二", "Second"),
    ("三", "Third"),
    ("四", "Fourth"),
    ("五", "Fifth"),
    ("六", "Sixth"),
    ("七", "Seventh"),
    ("八", "Eighth"),
    ("九", "Ninth"),
)
# City hospitals, the most prestigious first.
CITY_HOSPITALS = (
    ("第一人民医院", "The First People's Hospital of {place}"),
    ("中心医院", "The Central Hospital of {place}"),
    ("人民医院", "People's Hospital of {place}"),
    ("第二人民医院", "The Second People's Hospital of {place}"),
    ("中医医院", "Hospital of Traditional Chinese Medicine of {place}"),
    ("肿瘤医院", "Cancer Hospital of {place}"),
    ("第三人民医院", "The Third People's Hospital of {place}"),
    ("中西医结合医院", "Hospital of Integrated Chinese and Western Medicine of {place}"),
    *((f"第{zh}人民医院", f"The {en} People's Hospital of {{place}}") for zh, en in ORDINALS[3:]),
)
PROVINCIAL_HOSPITALS = (
    ("人民医院", "{province} People's Hospital"),
    ("肿瘤医院", "{province} Cancer Hospital"),
    ("中医院", "{province} Hospital of Traditional Chinese Medicine"),
)


class NameBook:
    """The unused hospital names of one province, the most prestigious first."""

    def __init__(self, rng, province, places):
        local = places["provinces"][province["code"]]
        self.teaching = [
            (f"{zh}附属第{ordinal_zh}医院", f"The {ordinal_en} Affiliated Hospital of {en}")
            for ordinal_zh, ordinal_en in ORDINALS[:3]
            for zh, en in local["universities"]
        ]
        self.provincial = [
            (f"{province['name_zh']}{zh}", en.format(province=local["provincial_en"]))
            for zh, en in PROVINCIAL_HOSPITALS
        ]
        if local.get("municipality"):
            towns = [
                (f"{province['name_zh']}{zh}", f"{en}, {province['name_en']}")
                for zh, en in local["places"]
            ]
            short = [(province["name_zh"].removesuffix("市"), province["name_en"])]
        else:
            towns = [(f"{zh}市", en) for zh, en in local["places"]]
            short = [(zh, en) for zh, en in local["places"]]
        ranked = sorted(
            (rank + 0.4 * town_rank + rng.random(), f"{town_zh}{zh}", en.format(place=town_en))
            for rank, (zh, en) in enumerate(CITY_HOSPITALS)
            for town_rank, (town_zh, town_en) in enumerate(towns)
        )
        self.city = [(zh, en) for _, zh, en in ranked]
        brands = places["brands"]
        self.private = [
            (f"{town_zh}{zh}医院", f"{town_en} {en} Hospital")
            for town_zh, town_en in short
            for zh, en in brands
        ]
        self.centre = [
            (f"{town_zh}{zh}医学影像中心", f"{town_en} {en} Medical Imaging Centre")
            for town_zh, town_en in short
            for zh, en in brands
        ]
        rng.shuffle(self.private)
        rng.shuffle(self.centre)

    def take(self, hospital):
        """A name for `hospital`: a prestigious one for a top-tier hospital."""
        books = {
            TEACHING: [self.teaching, self.provincial, self.city],
            PROVINCIAL: [self.provincial, self.city],
            CITY: [self.city],
            PRIVATE: [self.private, self.city],
            IMAGING_CENTRE: [self.centre, self.private],
        }[hospital.kind]
        for book in books:
            if book:
                return book.pop(0 if hospital.is_tertiary else -1)
        raise ValueError(f"no hospital names left in province {hospital.province}")


def _name_and_code(rng, hospitals, provinces):
    with PLACES_JSON.open(encoding="utf-8") as f:
        places = json.load(f)
    books = {province["code"]: NameBook(rng, province, places) for province in provinces}
    tier_rank = {"tertiary_top": 0, "tertiary": 1, "secondary": 2, "other": 3}
    # The biggest hospitals pick first, so that they carry the grand names.
    for hospital in sorted(hospitals, key=lambda h: (tier_rank.get(h.tier, 4), -h.size)):
        hospital.name_zh, hospital.name_en = books[hospital.province].take(hospital)
    serials = {}
    for hospital in hospitals:
        serials[hospital.province] = serials.get(hospital.province, 0) + 1
        hospital.code = f"NM{hospital.province}-{serials[hospital.province]:04d}"


# The reports of a year ---------------------------------------------------------------------------


class _Survey:
    """The reports of one survey year being drawn, row i belonging to hospital i."""

    def __init__(self, rng, published, hospitals):
        self.rng = rng
        self.published = published
        self.hospitals = hospitals
        self.everyone = range(len(hospitals))
        self.rows = []

    def size(self, i):
        return self.hospitals[i].size

    def developed(self, i):
        # Positron equipment follows development beyond the departments: it is costly, and
        # the patients who can pay for it are where the money is.
        return self.size(i) * self.hospitals[i].development

    def where(self, test):
        """The indices of the rows that pass `test`."""
        return [i for i, row in enumerate(self.rows) if test(row)]

    def choose(self, candidates, k, weight=None):
        return choose(self.rng, candidates, k, weight)

    def choose_preferring(self, preferred, others, k, weight=None, *, at_most=None):
        return choose_preferring(self.rng, preferred, others, k, weight, at_most=at_most)

    def mark(self, code, chosen):
        """`code` yes for the chosen rows, no for the others."""
        chosen = set(chosen)
        for i, row in enumerate(self.rows):
            row[code] = i in chosen

    def write(self, indices, code, values):
        for i, value in zip(indices, values, strict=True):
            self.rows[i][code] = value

    def fill(self, sites, row_totals, column_totals, affinity):
        """Write a table over `sites` with both margins given (see `fill_table`)."""
        table = fill_table(
            self.rng, row_totals, column_totals, lambda r, code: affinity(sites[r], code)
        )
        for code, values in table.items():
            self.write(sites, code, values)

    def blank_row(self, hospital, tier):
        row = dict.fromkeys(asked_in_the_demo(instrument.item_codes()))
        row.update(
            inst_code=hospital.code,
            inst_name=hospital.name_en,
            inst_name_zh=hospital.name_zh,
            province=hospital.province,
            ownership=hospital.ownership,
            tier=tier or None,
            dept_affiliation=hospital.affiliation,
        )
        return row

    def research(self, i, *, scale):
        hospital, row = self.hospitals[i], self.rows[i]
        # Small departments often skip the research questions.
        if not hospital.is_tertiary and self.rng.random() < 0.2:
            row.update(dict.fromkeys(RESEARCH))
            return
        output = scale * hospital.size * (3 if hospital.kind == TEACHING else 1)
        for code, mean in RESEARCH_MEANS.items():
            row[code] = _noisy(self.rng, mean * output)

    def research_support_and_suggestion(self, i):
        row = self.rows[i]
        row["op_more_research_support"] = self.rng.random() < 0.72
        if self.rng.random() < SUGGESTION_RATE:
            row["op_suggestions"] = self.rng.choice(SUGGESTIONS)
        else:
            row["op_suggestions"] = ""

    def productivity(self, i):
        # Examinations per unit: busier in big hospitals, with a department's own luck.
        return (0.4 + self.size(i)) ** 0.5 * self.rng.lognormvariate(0, 0.3)


def _units(row, codes):
    return sum(row[code] or 0 for code in codes)


def _exam_affinity(row, code):
    if code.endswith("_ga68"):
        return 1.0 if row["rp_ga68"] else 0.0
    if code.endswith("_c11"):
        return 1.0 if row["rp_c11"] else 0.0
    if code == "exam_pet_cardio":
        return 3.0 if row["rp_n13"] else 1.0
    if code == "exam_sp_cardio":
        return 1.0 + 2 * ((row["eq_cardiac_spect"] or 0) + (row["eq_czt_spect"] or 0))
    return 1.0


# 2023 -------------------------------------------------------------------------------------------


class Survey2023(_Survey):
    """The 2023 reports, one per hospital, meeting every printed figure."""

    def draw(self):
        self.rows = [self.blank_row(hospital, hospital.tier) for hospital in self.hospitals]
        self.imaging_equipment()
        self.organ_function_and_probe_labs()
        self.therapy()
        self.in_vitro()
        self.radiopharmaceuticals()
        self.examinations()
        self.owners()
        self.personnel()
        self.education()
        for i in self.everyone:
            self.research(i, scale=1.0)
        self.opinions()
        return self.rows

    def big(self, i):
        # A second or third unit goes to the busiest departments.
        return self.size(i) ** 3

    def install(self, holders, first_units, more_units, *, weight, most, among=None):
        """Give each holder its first unit, then share out the rest by `weight`, at most
        `most` more each, over `among` (the holders by default)."""
        for i, unit in zip(holders, first_units, strict=True):
            self.rows[i][unit] += 1
        among = holders if among is None else among
        extra = apportion(len(more_units), [weight(i) for i in among], caps=[most] * len(among))
        more_units = list(more_units)
        self.rng.shuffle(more_units)
        units = iter(more_units)
        for i, count in zip(among, extra, strict=True):
            for _ in range(count):
                self.rows[i][next(units)] += 1

    def install_one_each(self, holders, code, *, weight, most=1):
        """One unit of `code` for each holder, and the rest of the printed count by `weight`."""
        spare = [code] * (self.published.count(code) - len(holders))
        self.install(holders, [code] * len(holders), spare, weight=weight, most=most)

    def imaging_equipment(self):
        published, hospitals = self.published, self.hospitals
        for row in self.rows:
            row.update(dict.fromkeys(EQUIPMENT, 0))
        centres = [i for i in self.everyone if hospitals[i].kind == IMAGING_CENTRE]
        centre_set = set(centres)
        tertiary = [i for i in self.everyone if hospitals[i].is_tertiary]
        lesser = [i for i in self.everyone if not hospitals[i].is_tertiary and i not in centre_set]
        positron_sites = published.share_count("inst_with_positron_equipment", len(hospitals))
        tertiary_positron = published.share_count(
            "inst_with_positron_equipment_tertiary", positron_sites
        )
        # Every stand-alone imaging centre has a PET/CT: that is what it is for.
        positron = sorted(
            self.choose(tertiary, tertiary_positron, self.size)
            + centres
            + self.choose(lesser, positron_sites - tertiary_positron - len(centres), self.developed)
        )
        cyclotron_sites = self.choose(
            positron,
            published.count("inst_with_cyclotron"),
            lambda i: self.developed(i) * (4 if hospitals[i].is_top_tier else 1),
        )
        self.install_one_each(cyclotron_sites, "eq_cyclotron", weight=self.developed)
        with_cyclotron = set(cyclotron_sites)
        petmri_sites = self.choose(
            positron, PETMRI_SITES, lambda i: self.developed(i) * (3 if i in with_cyclotron else 1)
        )
        self.install_one_each(petmri_sites, "eq_pet_mri", weight=self.developed)
        petmri_only = set(
            self.choose([i for i in petmri_sites if i not in with_cyclotron], PETMRI_ONLY_SITES)
        )
        self.install_one_each(
            [i for i in positron if i not in petmri_only],
            "eq_pet_ct",
            weight=lambda i: self.big(i) * self.developed(i) * (2 if i in with_cyclotron else 1),
            most=3,
        )

        # Departments that use positron drugs without offering PET image 18F-FDG on coincidence
        # SPECT/CT; the other coincidence cameras are left over in departments with PET.
        positron_set = set(positron)
        hospital_pet = [i for i in positron if i not in centre_set]
        no_pet = [i for i in self.everyone if i not in positron_set]
        with_pet_service = published.count("inst_svc_pet")
        coincidence_alone = published.count("inst_rp_positron") - with_pet_service
        coincidence_with_pet = published.count("inst_svc_coincidence") - coincidence_alone
        coincidence = sorted(
            self.choose(hospital_pet, coincidence_with_pet, lambda i: 1 / self.size(i))
            + self.choose(no_pet, coincidence_alone, self.size)
        )
        self.install_one_each(coincidence, "eq_coincidence_spect_ct", weight=self.size)

        with_coincidence = set(coincidence)
        pet_with_cameras = len(hospital_pet) - PET_SITES_WITHOUT_SINGLE_PHOTON
        cameras_elsewhere = (
            published.count("inst_svc_single_photon") - pet_with_cameras - coincidence_alone
        )
        single_photon = sorted(
            coincidence
            + self.choose(
                [i for i in hospital_pet if i not in with_coincidence],
                pet_with_cameras - coincidence_with_pet,
                self.size,
            )
            + self.choose(
                [i for i in no_pet if i not in with_coincidence], cameras_elsewhere, self.size
            )
        )
        # A few departments offer PET on a scanner they share and leave the equipment blank.
        with_single_photon = set(single_photon)
        sharing = self.choose(
            [i for i in no_pet if i not in with_single_photon], with_pet_service - positron_sites
        )
        for i in sharing:
            self.rows[i].update(dict.fromkeys(EQUIPMENT))
        self.mark("svc_pet", positron + sharing)
        self.mark("svc_coincidence", coincidence)
        self.mark("svc_single_photon", single_photon)

        cameras = [i for i in single_photon if i not in with_coincidence]
        without_ct = set(self.choose(cameras, SPECT_WITHOUT_CT_SITES, lambda i: 1 / self.size(i)))
        first = ["eq_spect" if i in without_ct else "eq_spect_ct" for i in cameras]
        more = [
            code
            for code in SINGLE_PHOTON
            if code != "eq_coincidence_spect_ct"
            for _ in range(published.count(code) - first.count(code))
        ]
        self.install(cameras, first, more, weight=self.big, most=5, among=single_photon)

    def organ_function_and_probe_labs(self):
        published, hospitals, rows = self.published, self.hospitals, self.rows
        candidates = [
            i
            for i in self.everyone
            if hospitals[i].kind != IMAGING_CENTRE and rows[i]["eq_pet_ct"] is not None
        ]
        organ = self.choose(
            candidates,
            published.count("inst_svc_organ_function"),
            lambda i: (
                self.size(i) * (1 if rows[i]["svc_pet"] and not rows[i]["svc_single_photon"] else 3)
            ),
        )
        self.mark("svc_organ_function", organ)
        bone_only = set(self.choose(organ, BONE_DENSITOMETER_ONLY_SITES))
        first = ["eq_bone_densitometer" if i in bone_only else "eq_thyroid_analyzer" for i in organ]
        more = [
            code
            for code in ORGAN_FUNCTION
            for _ in range(published.count(code) - first.count(code))
        ]
        self.install(organ, first, more, weight=lambda i: self.size(i) ** 2, most=3)

        positron = self.where(lambda row: _units(row, POSITRON) > 0)
        probe_labs = self.choose(
            positron,
            published.count("inst_svc_probe_lab"),
            lambda i: (
                self.size(i)
                * (6 if rows[i]["eq_cyclotron"] else 1)
                * (2 if hospitals[i].kind == TEACHING else 1)
            ),
        )
        self.mark("svc_probe_lab", probe_labs)
        animal_sites = self.choose(
            probe_labs, SMALL_ANIMAL_SITES, lambda i: 3 if rows[i]["eq_cyclotron"] else 1
        )
        scanners = [code for code in SMALL_ANIMAL for _ in range(published.count(code))]
        self.rng.shuffle(scanners)
        first, more = scanners[: len(animal_sites)], scanners[len(animal_sites) :]
        self.install(animal_sites, first, more, weight=self.size, most=3)

    def busy(self, i):
        return self.size(i) * self.rng.lognormvariate(0, 0.3)

    def therapy(self):
        """Radionuclide therapy: those who ticked the service and those who reported treatments.

        The latter are more: departments whose only treatments are applicators or 99Tc-MDP
        did not all count them as radiopharmaceutical therapy when ticking the services.
        """
        published, hospitals, rows = self.published, self.hospitals, self.rows
        single_photon = self.where(lambda row: row["svc_single_photon"])
        with_imaging = set(self.where(lambda row: row["svc_single_photon"] or row["svc_pet"]))
        without_imaging = [i for i in self.everyone if i not in with_imaging]
        ticked_count = published.count("inst_svc_therapy")
        ticked = sorted(
            self.choose(single_photon, ticked_count - THERAPY_WITHOUT_IMAGING, self.busy)
            + self.choose(without_imaging, THERAPY_WITHOUT_IMAGING, self.busy)
        )
        ticked_set = set(ticked)
        unticked = self.choose(
            [i for i in single_photon if i not in ticked_set],
            published.count("inst_therapy") - len(ticked),
        )
        unticked_yunke = self.choose(unticked, UNTICKED_YUNKE_ONLY)
        unticked_plaster = [i for i in unticked if i not in set(unticked_yunke)]

        i131 = self.choose(ticked, published.count("inst_therapy_i131"), self.busy)
        i131_set = set(i131)
        ward = self.choose(
            i131,
            published.count("inst_svc_therapy_ward"),
            lambda i: self.busy(i) * (2 if hospitals[i].is_top_tier else 1),
        )
        outpatient = self.choose(
            ticked,
            published.count("inst_svc_therapy_outpatient"),
            lambda i: 3 if i in i131_set else 1,
        )
        self.mark("svc_therapy", ticked)
        self.mark("svc_therapy_outpatient", outpatient)
        self.mark("svc_therapy_ward", ward)

        bone = self.choose(
            ticked,
            published.count("inst_therapy_bone"),
            lambda i: self.busy(i) * (2 if rows[i]["svc_single_photon"] else 1),
        )
        plaster = self.choose_preferring(
            unticked_plaster, ticked, published.count("inst_therapy_plaster"), self.busy
        )
        yunke = self.choose_preferring(
            unticked_yunke, ticked, published.count("inst_therapy_yunke"), self.busy
        )
        covered = i131_set | set(bone) | set(plaster) | set(yunke)
        # Whoever ticked therapy but gives none of the above implants seeds.
        uncovered = [i for i in ticked if i not in covered]
        seeds = self.choose_preferring(
            uncovered,
            [i for i in ticked if hospitals[i].is_tertiary],
            max(SEED_IMPLANT_SITES, len(uncovered)),
            self.busy,
        )
        thyroid = self.choose_preferring(
            ward, i131, len(ward) + OUTPATIENT_THYROID_CANCER_SITES, self.busy
        )
        p32 = self.choose(plaster, P32_SITES, self.busy)
        p32_only = set(self.choose(p32, P32_ONLY_SITES))
        top_tier = [i for i in ticked if hospitals[i].is_top_tier]
        sites = {
            "tx_sr90_y90_applicator": [i for i in plaster if i not in p32_only],
            "tx_i131_graves": i131,
            "tx_i131_thyroid": thyroid,
            "tx_p32_patch": p32,
            "tx_tc99_mdp": yunke,
            "tx_seed_implant": seeds,
            "tx_sr89_bone": bone,
            "tx_other": self.choose(top_tier, OTHER_THERAPY_SITES, self.busy),
        }
        parts = published.split(published.count("tx_total"), "tx_total")
        for row in rows:
            row.update(dict.fromkeys(TREATMENTS, 0), therapy_beds=0)
        for code, holders in sites.items():
            counts = apportion(parts[code], [self.busy(i) for i in holders], minimum=1)
            self.write(holders, code, counts)
        beds = apportion(
            published.count("therapy_beds"), [self.busy(i) ** 2 for i in ward], minimum=2
        )
        self.write(ward, "therapy_beds", beds)

    def in_vitro(self):
        published, hospitals, rows = self.published, self.hospitals, self.rows
        tier_weight = {"tertiary_top": 1, "tertiary": 1.2, "secondary": 1.5, "other": 0.6}

        def weight(i):
            # Many small departments are what is left of a radioimmunoassay laboratory.
            services = ("svc_single_photon", "svc_pet", "svc_organ_function")
            nothing_else = not any(rows[i][code] for code in services)
            nothing_else = nothing_else and not _units(rows[i], TREATMENTS)
            return (
                tier_weight.get(hospitals[i].tier, 1)
                * (1 if hospitals[i].ownership == "public" else 0.3)
                * (6 if nothing_else else 1)
            )

        offering = self.choose(
            [i for i in self.everyone if hospitals[i].kind != IMAGING_CENTRE],
            published.count("inst_svc_in_vitro"),
            weight,
        )
        self.mark("svc_in_vitro", offering)
        sampling = self.choose(offering, published.count("inst_in_vitro"))
        for row in rows:
            row.update(iv_samples=0, iv_tests=0, **dict.fromkeys(IN_VITRO_FLAGS))
        samples = apportion(
            published.count("iv_samples"),
            [self.size(i) * self.rng.lognormvariate(0, 0.6) for i in sampling],
            minimum=2000,
        )
        # Each sample is tested for at least one thing, most for several.
        more_tests = apportion(
            published.count("iv_tests") - published.count("iv_samples"),
            [count * self.rng.uniform(2.0, 4.5) for count in samples],
        )
        self.write(sampling, "iv_samples", samples)
        tests = [count + more for count, more in zip(samples, more_tests, strict=True)]
        self.write(sampling, "iv_tests", tests)
        for i in offering:
            rows[i].update(dict.fromkeys(IN_VITRO_FLAGS, False))
        for code in IN_VITRO_FLAGS:
            count = published.share_count(f"inst_{code}", len(sampling))
            for i in self.choose(sampling, count, self.size):
                rows[i][code] = True

    def radiopharmaceuticals(self):
        published, rows = self.published, self.rows
        positron_users = self.where(lambda row: row["svc_pet"] or row["svc_coincidence"])
        self.mark("rp_positron", positron_users)
        self.mark("rp_f18", positron_users)
        scanners = self.where(lambda row: _units(row, POSITRON) > 0)
        petmri = self.where(lambda row: row["eq_pet_mri"])
        cyclotrons = self.where(lambda row: row["eq_cyclotron"])
        ga68 = self.choose_preferring(
            petmri, scanners, published.count("inst_rp_ga68"), self.size, at_most=GA68_PETMRI_SITES
        )
        # 11C and 13N live minutes: only a department with its own cyclotron can use them.
        c11 = self.choose_preferring(
            [i for i in cyclotrons if rows[i]["eq_pet_mri"]],
            cyclotrons,
            published.count("inst_rp_c11"),
            self.size,
            at_most=C11_PETMRI_SITES,
        )
        self.mark("rp_ga68", ga68)
        self.mark("rp_c11", c11)
        self.mark("rp_n13", self.choose(cyclotrons, published.count("inst_rp_n13"), self.size))

        single_photon = self.where(lambda row: row["svc_single_photon"])
        # Therapy-only departments use 131I, a single-photon drug too.
        users = self.choose_preferring(
            single_photon,
            self.where(lambda row: _units(row, TREATMENTS) and not row["svc_single_photon"]),
            published.count("inst_rp_single_photon"),
            self.size,
            at_most=len(single_photon),
        )
        self.mark("rp_single_photon", users)
        self.licences()

    def licences(self):
        """Class IV makes positron drugs on site; III labels kits; II uses ready-made drugs."""
        published, hospitals, rows = self.published, self.hospitals, self.rows
        cyclotrons = self.where(lambda row: row["eq_cyclotron"])
        class_iv = set(
            self.choose(
                cyclotrons,
                published.count("inst_license_IV"),
                lambda i: (
                    self.size(i) * (3 if rows[i]["rp_c11"] or rows[i]["svc_probe_lab"] else 1)
                ),
            )
        )
        users = self.where(
            lambda row: row["rp_single_photon"] or row["rp_positron"] or _units(row, TREATMENTS)
        )
        class_iii = self.choose_preferring(
            [i for i in cyclotrons if i not in class_iv],
            [i for i in users if i not in class_iv],
            published.count("inst_license_III"),
            lambda i: self.size(i) * (2 if hospitals[i].is_top_tier else 1),
        )
        licensed = class_iv | set(class_iii)
        # Left-over class II licences are held for the 131I of thyroid uptake measurement.
        class_ii = self.choose_preferring(
            [i for i in users if i not in licensed],
            [i for i in self.everyone if i not in licensed and rows[i]["svc_organ_function"]],
            published.count("inst_license_II"),
        )
        # Class I covers in vitro kits only.
        for row in rows:
            row["license_class"] = "I" if row["svc_in_vitro"] else "none"
        for i in class_ii:
            rows[i]["license_class"] = "II"
        for i in class_iii:
            rows[i]["license_class"] = "IIIB" if self.rng.random() < 0.35 else "IIIA"
        for i in class_iv:
            rows[i]["license_class"] = "IV"

    def examinations(self):
        published, rows = self.published, self.rows
        for group, scanners in EXAM_SCANNERS.items():
            for row in rows:
                row.update(dict.fromkeys(parts_of(group), None if row["eq_pet_ct"] is None else 0))
            sites = self.where(lambda row, scanners=scanners: _units(row, scanners) > 0)
            total = published.count(group)
            totals = apportion(
                total,
                [_units(rows[i], scanners) * self.productivity(i) for i in sites],
                minimum=EXAM_MINIMUM.get(group, EXAM_MINIMUM_DEFAULT),
            )
            parts = published.split(total, group)
            self.fill(
                sites,
                totals,
                {code: parts[code] for code in fill_order(group, EXAM_FILL_ORDER[group])},
                lambda i, code: _exam_affinity(rows[i], code),
            )
        for code, scanners in SMALL_ANIMAL_SCANNERS.items():
            for row in rows:
                row[code] = None if row["eq_pet_ct"] is None else 0
            sites = self.where(lambda row, scanners=scanners: _units(row, scanners) > 0)
            weights = [_units(rows[i], scanners) * self.rng.lognormvariate(0, 0.5) for i in sites]
            self.write(sites, code, apportion(published.count(code), weights))

    def owners(self):
        """Imaging units by owning department, mostly the department the unit sits in."""
        hospitals, rows = self.hospitals, self.rows
        imaging = POSITRON + SINGLE_PHOTON
        sites = self.where(lambda row: _units(row, imaging) > 0)
        units = [_units(rows[i], imaging) for i in sites]
        parts = self.published.split(sum(units), "eq_owner_total")
        order = sorted(OWNERS, key=lambda code: (code == "eq_owner_nm", parts[code]))

        def affinity(i, code):
            if OWNER_BY_AFFILIATION[hospitals[i].affiliation] == code:
                return 1.0
            if code == "eq_owner_pet_center" and _units(rows[i], POSITRON):
                return 0.3
            return 0.02

        self.fill(sites, units, {code: parts[code] for code in order}, affinity)

    def staff_need(self, i):
        row = self.rows[i]
        return (
            2
            + 1.6 * _units(row, POSITRON + SINGLE_PHOTON)
            + 0.6 * _units(row, ORGAN_FUNCTION)
            + 3 * (row["eq_cyclotron"] or 0)
            + row["therapy_beds"] / 5
            + (2 if row["svc_in_vitro"] else 0)
            + 6 * self.size(i) ** 1.5
        )

    def role_affinity(self, i, code):
        row, hospital = self.rows[i], self.hospitals[i]
        positron = _units(row, POSITRON) > 0
        if code == "staff_engineers":
            return 6 if row["eq_cyclotron"] else 0.3 if positron else 0.05
        if code == "staff_chemists":
            return 8 if row["eq_cyclotron"] else 2 if row["rp_ga68"] else 0.5 if positron else 0.05
        if code == "staff_physicists":
            return 2 if row["svc_therapy_ward"] else 1.5 if positron else 0.3
        if code == "staff_researchers":
            return 6 if row["svc_probe_lab"] else 2 if hospital.kind == TEACHING else 0.1
        if code == "staff_nurses":
            return 2.5 if row["svc_therapy_ward"] else 1.2 if positron else 0.7
        if code == "staff_technicians":
            in_vitro = 0.5 if row["svc_in_vitro"] else 0
            return 1 + 0.3 * _units(row, POSITRON + SINGLE_PHOTON) + in_vitro
        return 1.0

    def title_affinity(self, i, code):
        hospital = self.hospitals[i]
        if code == "title_other":
            return 3 if hospital.ownership == "nonpublic" else 0.6
        if code == "title_senior":
            return 2 if hospital.kind == TEACHING else 1.5 if hospital.is_top_tier else 0.7
        if code == "title_junior":
            junior_heavy = hospital.tier in ("secondary", "other")
            return 1.6 if junior_heavy or hospital.ownership == "nonpublic" else 1.0
        return 1.0

    def degree_affinity(self, i, code):
        hospital = self.hospitals[i]
        if code == "degree_college":
            if hospital.tier in ("secondary", "other"):
                return 3
            return 2 if hospital.ownership == "nonpublic" else 0.4 if hospital.is_top_tier else 1
        if code == "degree_postgraduate":
            if hospital.kind == TEACHING:
                return 3
            return 1.6 if hospital.is_top_tier else 1 if hospital.is_tertiary else 0.3
        return 1.0

    def personnel(self):
        """Staff counted three ways that add up to the same number in every department."""
        published, rows = self.published, self.rows
        total = published.count("staff_total")
        weights = [self.staff_need(i) * self.rng.lognormvariate(0, 0.35) for i in self.everyone]
        totals = apportion(total, weights, minimum=2)
        everyone = list(self.everyone)
        for group, affinity in (
            ("staff_total", self.role_affinity),
            ("title_total", self.title_affinity),
            ("degree_total", self.degree_affinity),
        ):
            parts = published.split(total, group)
            row_totals = totals
            if group == "staff_total":
                # Every department has a physician: one each is set aside before the split.
                parts["staff_physicians"] -= len(rows)
                row_totals = [count - 1 for count in totals]
            order = fill_order(group, PERSONNEL_FILL_ORDER[group])
            self.fill(everyone, row_totals, {code: parts[code] for code in order}, affinity)
        for row in rows:
            row["staff_physicians"] += 1

    def education(self):
        published, hospitals, rows = self.published, self.hospitals, self.rows

        def university_weight(i):
            return self.size(i) * (4 if hospitals[i].kind == TEACHING else 1)

        top = [i for i in self.everyone if hospitals[i].is_top_tier]
        tertiary = [i for i in self.everyone if hospitals[i].is_tertiary]
        for row in rows:
            row.update(dict.fromkeys(EDUCATION_COUNTS, 0))
        doctoral = self.choose(top, DOCTORAL_SUPERVISION_SITES, university_weight)
        doctoral_set = set(doctoral)
        master = self.choose_preferring(
            doctoral, tertiary, MASTER_SUPERVISION_SITES, university_weight
        )
        for code, sites, weight in (
            ("edu_doctoral_supervisors", doctoral, self.size),
            (
                "edu_master_supervisors",
                master,
                lambda i: self.size(i) * (2 if i in doctoral_set else 1),
            ),
        ):
            counts = apportion(published.count(code), [weight(i) for i in sites], minimum=1)
            self.write(sites, code, counts)
        # Students follow their supervisors.
        for students, supervisors, sites in (
            ("edu_doctoral_students", "edu_doctoral_supervisors", doctoral),
            ("edu_master_students", "edu_master_supervisors", master),
        ):
            weights = [rows[i][supervisors] * self.rng.lognormvariate(0, 0.4) for i in sites]
            self.write(sites, students, apportion(published.count(students), weights))
        self.mark(
            "edu_resident_base", self.choose(tertiary, RESIDENT_TRAINING_BASES, university_weight)
        )

    def opinions(self):
        published, hospitals = self.published, self.hospitals
        lacking = self.choose(
            self.everyone,
            published.share_count("inst_op_lack_specialists", len(hospitals)),
            lambda i: 0.8 if hospitals[i].is_top_tier else 1.5,
        )
        economy = self.choose(
            self.everyone,
            published.share_count("inst_op_regional_economy", len(hospitals)),
            lambda i: 2 if hospitals[i].province in LESS_DEVELOPED else 1,
        )
        self.mark("op_lack_specialists", lacking)
        self.mark("op_regional_economy", economy)
        for i in self.everyone:
            self.research_support_and_suggestion(i)


# 2019 -------------------------------------------------------------------------------------------


class Baseline2019(_Survey):
    """The 2019 reports: most 2023 institutions, without the newest, with those since closed.

    Each report is drawn from a 2023 one, its template (its own, or for a closed institution
    a similar one's), scaled back to the printed 2019 totals.
    """

    def __init__(self, rng, published, hospitals, closed, rows_2023):
        new_weight = {IMAGING_CENTRE: 6, PRIVATE: 3, TEACHING: 0.2, PROVINCIAL: 0.2}
        new_since = len(hospitals) + len(closed) - published.count("institutions", BASELINE)
        # The 2019 publication counts the positron units of the provinces it names: their
        # positron departments of 2023 all reported in 2019, so that its counts can be met.
        counted = published.provincial_counts("eq_positron_total")
        new = set(
            choose(
                rng,
                [
                    i
                    for i in range(len(hospitals))
                    if hospitals[i].province not in counted or not _units(rows_2023[i], POSITRON)
                ],
                new_since,
                lambda i: new_weight.get(hospitals[i].kind, 1 if hospitals[i].is_tertiary else 1.5),
            )
        )
        panel = [i for i in range(len(hospitals)) if i not in new]
        super().__init__(rng, published, [hospitals[i] for i in panel] + closed)
        self.templates = [rows_2023[i] for i in panel] + [
            rows_2023[self.twin(hospitals, rows_2023, hospital)] for hospital in closed
        ]

    def twin(self, hospitals, rows_2023, hospital):
        """A 2023 department like a closed one, to draw the closed one's 2019 report from."""
        alike = [
            i
            for i, other in enumerate(hospitals)
            if other.tier == hospital.tier
            and other.kind not in (IMAGING_CENTRE, TEACHING)
            and not rows_2023[i]["eq_cyclotron"]
            and rows_2023[i]["eq_pet_ct"] is not None
        ]
        return self.rng.choice(alike)

    def draw(self):
        tiers = self.tiers_before_upgrades()
        self.rows = [
            self.blank_row(hospital, tiers.get(i, hospital.tier))
            for i, hospital in enumerate(self.hospitals)
        ]
        self.equipment()
        self.services_and_drugs()
        self.examinations()
        self.therapy()
        self.in_vitro()
        self.personnel()
        for i, (row, template) in enumerate(zip(self.rows, self.templates, strict=True)):
            for code in EDUCATION_COUNTS:
                row[code] = round(template[code] * self.rng.uniform(0.7, 0.95))
            row["edu_resident_base"] = template["edu_resident_base"]
            self.research(i, scale=0.8)
            for code in ("op_lack_specialists", "op_regional_economy"):
                changed_mind = self.rng.random() < 0.1
                row[code] = template[code] != changed_mind
            self.research_support_and_suggestion(i)
        return self.rows

    def tiers_before_upgrades(self):
        """The levels in 2019 of the hospitals upgraded since: {index: tier}."""
        top = [i for i, h in enumerate(self.hospitals) if h.is_top_tier and h.kind == CITY]
        tertiary = [i for i, h in enumerate(self.hospitals) if h.tier == "tertiary"]
        tiers = dict.fromkeys(self.choose(top, UPGRADED_TO_TOP_TIER), "tertiary")
        tiers.update(dict.fromkeys(self.choose(tertiary, UPGRADED_TO_TERTIARY), "secondary"))
        return tiers

    def cyclotrons(self):
        """Install the printed 2019 cyclotrons at the printed number of institutions, all of
        them owners in 2023, those with a second one in 2023 first; returns their rows."""
        published, rows, templates = self.published, self.rows, self.templates
        owners = [r for r, template in enumerate(templates) if template["eq_cyclotron"]]
        twice = [r for r in owners if templates[r]["eq_cyclotron"] > 1]
        sites = self.choose_preferring(
            twice, owners, published.count("inst_with_cyclotron", BASELINE), self.size
        )
        second = self.choose(
            [r for r in sites if templates[r]["eq_cyclotron"] > 1],
            published.count("eq_cyclotron", BASELINE) - len(sites),
        )
        for r in sites:
            rows[r]["eq_cyclotron"] = 1 + (r in second)
        return sites

    def positron_quotas(self, later, early):
        """{province code: positron units to install there beyond `early`}: the printed
        figure in the provinces the 2019 publication names; the rest of the national figure
        shared by the other provinces in proportion to their 2023 units (`early` and `later`
        tokens), each between the units installed there already (`early`: the first PET/CT
        beside each cyclotron, the first PET/MRIs) and all of its 2023 ones."""
        published = self.published
        printed = published.provincial_counts("eq_positron_total")
        installed = Counter(self.hospitals[r].province for r, _, _ in early)
        units = installed + Counter(self.hospitals[r].province for r, _, _ in later)
        for province, count in printed.items():
            if not installed[province] <= count <= units[province]:
                raise ValueError(f"province {province} cannot have {count} positron units in 2019")
        left = published.count("eq_positron_total", BASELINE) - sum(printed.values())
        # A province whose share falls short of what it has installed keeps that, and the
        # others share the rest.
        totals = {}
        while True:
            free = sorted(province for province in units if province not in printed | totals)
            caps = [units[province] for province in free]
            shares = apportion(left - sum(totals.values()), caps, caps=caps)
            short = {
                province: installed[province]
                for province, share in zip(free, shares, strict=True)
                if share < installed[province]
            }
            if not short:
                break
            totals |= short
        totals |= dict(zip(free, shares, strict=True))
        return {
            province: count - installed[province] for province, count in (printed | totals).items()
        }

    def install_some(self, tokens, k, weight):
        """Install `k` of the `tokens` (row, item, nth unit there) of the templates."""
        for r, code, _ in self.choose(tokens, k, weight):
            self.rows[r][code] += 1

    def template_units(self, codes):
        """Every unit of the templates: (row, item, nth unit of that item there)."""
        return [
            (r, code, k)
            for r, template in enumerate(self.templates)
            for code in codes
            for k in range(template[code] or 0)
        ]

    def equipment(self):
        published, rows, templates = self.published, self.rows, self.templates
        for row, template in zip(rows, templates, strict=True):
            row.update(dict.fromkeys(EQUIPMENT, None if template["eq_pet_ct"] is None else 0))
        cyclotron_sites = self.cyclotrons()
        tokens = self.template_units(POSITRON)
        # A cyclotron stands beside a PET/CT; PET/MRI came later for most.
        first_petmri = [token for token in tokens if token[1:] == ("eq_pet_mri", 0)]
        early = [(r, "eq_pet_ct", 0) for r in cyclotron_sites]
        early += self.choose(first_petmri, PETMRI_SITES_2019)
        for r, code, _ in early:
            rows[r][code] += 1
        tier_weight = {"tertiary_top": 1.5, "tertiary": 1.0}

        def weight(token):
            r, code, k = token
            hospital = self.hospitals[r]
            return (
                (3 if k == 0 else 0.6)
                * (0.35 if code == "eq_pet_mri" else 1)
                * tier_weight.get(hospital.tier, 0.7)
                * (0.6 if hospital.kind == IMAGING_CENTRE else 1)
            )

        early_set = set(early)
        later = [token for token in tokens if token not in early_set]
        for province, more in self.positron_quotas(later, early).items():
            mine = [token for token in later if self.hospitals[token[0]].province == province]
            self.install_some(mine, more, weight)

        # Coincidence cameras are old: all of 2023's were there, and some since replaced by PET/CT.
        for row, template in zip(rows, templates, strict=True):
            if template["eq_coincidence_spect_ct"]:
                row["eq_coincidence_spect_ct"] = template["eq_coincidence_spect_ct"]
        replaced = self.choose(
            self.where(lambda row: row["eq_pet_ct"] == 0 and row["eq_pet_mri"] == 0),
            RETIRED_COINCIDENCE_SITES,
            lambda r: 1 if _units(templates[r], POSITRON) else 0,
        )
        for r in replaced:
            rows[r]["eq_coincidence_spect_ct"] += 1
        coincidence = sum(row["eq_coincidence_spect_ct"] or 0 for row in rows)
        self.install_some(
            self.template_units(
                [code for code in SINGLE_PHOTON if code != "eq_coincidence_spect_ct"]
            ),
            published.count("eq_single_photon_total", BASELINE) - coincidence,
            lambda token: 3 if token[2] == 0 else 1,
        )

        for row, template, hospital in zip(rows, templates, self.hospitals, strict=True):
            if row["eq_pet_ct"] is None:
                continue
            for code in ORGAN_FUNCTION + SMALL_ANIMAL:
                kept = 0.9 if code in ORGAN_FUNCTION else 0.5
                row[code] = sum(self.rng.random() < kept for _ in range(template[code]))
            # Before itemised equipment lists, a unit belonged to the department it sat in.
            owner = OWNER_BY_AFFILIATION[hospital.affiliation]
            row[owner] = _units(row, POSITRON + SINGLE_PHOTON)

    def services_and_drugs(self):
        for row, template in zip(self.rows, self.templates, strict=True):
            shared_scanner = row["eq_pet_ct"] is None
            row["svc_pet"] = shared_scanner or _units(row, POSITRON) > 0
            row["svc_single_photon"] = _units(row, SINGLE_PHOTON) > 0
            row["svc_coincidence"] = bool(row["eq_coincidence_spect_ct"])
            row["svc_organ_function"] = _units(row, ORGAN_FUNCTION) > 0 or (
                shared_scanner and template["svc_organ_function"]
            )
            row["svc_probe_lab"] = template["svc_probe_lab"] and self.rng.random() < 0.6
            row["rp_positron"] = row["rp_f18"] = row["svc_pet"] or row["svc_coincidence"]
            row["rp_ga68"] = (
                template["rp_ga68"] and bool(row["eq_pet_ct"]) and self.rng.random() < 0.5
            )
            row["rp_c11"] = template["rp_c11"] and bool(row["eq_cyclotron"])
            row["rp_n13"] = template["rp_n13"] and bool(row["eq_cyclotron"])
            therapy_only_user = template["rp_single_photon"] and not template["svc_single_photon"]
            row["rp_single_photon"] = row["svc_single_photon"] or therapy_only_user
            licence = template["license_class"]
            row["license_class"] = (
                "IIIA" if licence == "IV" and not row["eq_cyclotron"] else licence
            )

    def examinations(self):
        published, rows = self.published, self.rows
        for group, scanners in EXAM_SCANNERS.items():
            for row in rows:
                row.update(dict.fromkeys(parts_of(group), None if row["eq_pet_ct"] is None else 0))
            sites = self.where(lambda row, scanners=scanners: _units(row, scanners) > 0)
            total = published.count(group, BASELINE)
            totals = apportion(
                total,
                [_units(rows[r], scanners) * self.productivity(r) for r in sites],
                minimum=EXAM_MINIMUM.get(group, EXAM_MINIMUM_DEFAULT),
            )
            parts = published.baseline_parts(total, group)
            printed = [code for code in parts if published.prints_2019(code)]
            # The parts the 2019 publication prints are columns of a table with both margins
            # fixed; the rest of each department's examinations follow the mix of 2023.
            rest = totals
            if printed:
                table = fill_table(
                    self.rng,
                    totals,
                    {REST: total - sum(parts[code] for code in printed)}
                    | {code: parts[code] for code in printed},
                    lambda row, code: 1.0,
                )
                for code in printed:
                    self.write(sites, code, table[code])
                rest = table[REST]
            others = [code for code in parts_of(group) if code not in printed]
            for r, left in zip(sites, rest, strict=True):
                weights = [
                    parts[code] * _exam_affinity(rows[r], code) * self.rng.lognormvariate(0, 0.3)
                    for code in others
                ]
                rows[r].update(zip(others, apportion(left, weights), strict=True))
        for code, scanners in SMALL_ANIMAL_SCANNERS.items():
            for row in rows:
                if row["eq_pet_ct"] is not None:
                    row[code] = _noisy(self.rng, 300 * _units(row, scanners), 0.8)

    def therapy(self):
        published, rows, templates = self.published, self.rows, self.templates
        treating = self.choose(
            self.everyone,
            published.count("inst_therapy", BASELINE),
            lambda r: 30 if _units(templates[r], TREATMENTS) else 0.2,
        )
        total = published.count("tx_total", BASELINE)
        parts = published.baseline_parts(total, "tx_total")
        national_mix = published.split(published.count("tx_total"), "tx_total")
        # How much of each treatment there was in 2019 for one of 2023, nationally: a
        # department's 2019 total is its own 2023 treatments at those rates.
        change = {code: parts[code] / max(national_mix[code], 1) for code in TREATMENTS}
        mixes = [
            template if _units(template, TREATMENTS) else national_mix
            for template in (templates[r] for r in treating)
        ]
        totals = apportion(
            total,
            [
                sum(mix[code] * change[code] for code in TREATMENTS)
                * self.rng.lognormvariate(0, 0.3)
                for mix in mixes
            ],
            minimum=5,
        )
        for row in rows:
            row.update(dict.fromkeys(TREATMENTS, 0), therapy_beds=0)
            row.update(svc_therapy=False, svc_therapy_outpatient=False, svc_therapy_ward=False)
        # The printed treatments are columns of a table with both margins fixed, the rest of
        # each department's treatments last; the rest is split by the department's own mix.
        printed = [code for code in TREATMENTS if published.prints_2019(code)]
        others = [code for code in TREATMENTS if code not in printed]

        def share(n, column):
            # The column's share of the department's mix; a little for one it lacks.
            mix = mixes[n]
            codes = others if column == REST else [column]
            return (sum(mix[code] for code in codes) + 0.001) / _units(mix, TREATMENTS)

        table = fill_table(
            self.rng,
            totals,
            {code: parts[code] for code in printed}
            | {REST: total - sum(parts[code] for code in printed)},
            share,
        )
        for n, r in enumerate(treating):
            row, template, mix = rows[r], templates[r], mixes[n]
            row.update({code: table[code][n] for code in printed})
            weights = [(mix[code] or 0.01) * self.rng.lognormvariate(0, 0.2) for code in others]
            row.update(zip(others, apportion(table[REST][n], weights), strict=True))
            treated_in_2023 = _units(template, TREATMENTS) > 0
            row["svc_therapy"] = template["svc_therapy"] or not treated_in_2023
            row["svc_therapy_outpatient"] = (
                row["svc_therapy"] and template["svc_therapy_outpatient"]
            )
            row["svc_therapy_ward"] = row["svc_therapy"] and template["svc_therapy_ward"]
        ward = self.where(lambda row: row["svc_therapy_ward"])
        beds = apportion(
            published.count("therapy_beds", BASELINE),
            [templates[r]["therapy_beds"] * self.rng.uniform(0.6, 1.0) for r in ward],
            minimum=2,
        )
        self.write(ward, "therapy_beds", beds)

    def in_vitro(self):
        for row, template in zip(self.rows, self.templates, strict=True):
            row.update(iv_samples=0, iv_tests=0, **dict.fromkeys(IN_VITRO_FLAGS))
            # In vitro work has been moving to clinical laboratories: some stopped since 2019.
            row["svc_in_vitro"] = template["svc_in_vitro"] or self.rng.random() < 0.08
            if not row["svc_in_vitro"]:
                continue
            samples = template["iv_samples"] or _noisy(self.rng, 60_000)
            row["iv_samples"] = round(samples * self.rng.uniform(0.8, 1.1))
            tests_per_sample = (
                template["iv_tests"] / template["iv_samples"] if template["iv_samples"] else 4
            )
            tests = round(row["iv_samples"] * tests_per_sample * self.rng.uniform(0.95, 1.0))
            row["iv_tests"] = max(tests, row["iv_samples"])
            for code in IN_VITRO_FLAGS:
                row[code] = bool(template[code]) and self.rng.random() < 0.9

    def personnel(self):
        totals = apportion(
            self.published.count("staff_total", BASELINE),
            [
                _units(template, parts_of("staff_total")) * self.rng.uniform(0.7, 1.0)
                for template in self.templates
            ],
            minimum=2,
        )
        for row, template, total in zip(self.rows, self.templates, totals, strict=True):
            for group in ("staff_total", "title_total", "degree_total"):
                codes = parts_of(group)
                weights = [
                    (template[code] + 0.3) * self.rng.lognormvariate(0, 0.2) for code in codes
                ]
                # Fewer had a postgraduate degree five years earlier.
                if group == "degree_total":
                    weights[codes.index("degree_postgraduate")] *= 0.85
                row.update(zip(codes, apportion(total, weights), strict=True))


# -------------------------------------------------------------------------------------------------


def generate_demo_rows() -> dict[int, list[dict]]:
    """The demo survey: {2019: rows, 2023: rows}, each row every item code to its value.

    The same on every call: everything is drawn from one seeded generator.
    """
    rng = random.Random(SEED)
    published = PublishedFigures()
    hospitals, closed = register_hospitals(rng, published)
    rows_2023 = Survey2023(rng, published, hospitals).draw()
    rows_2019 = Baseline2019(rng, published, hospitals, closed, rows_2023).draw()
    return {BASELINE: rows_2019, YEAR: rows_2023}


# -------------------------------------------------------------------------------------------------
# Where the demo's reports stand in the review workflow

# The open cycle shows the workflow: nearly every report accepted, a few still on their way:
# drafts (not filed yet on the filing page), submissions waiting in the review queue and returns
# for correction. Sichuan, the demo coordinator's province, has some of each.
IN_PROGRESS = {ReportStatus.DRAFT: 24, ReportStatus.SUBMITTED: 18, ReportStatus.RETURNED: 4}
IN_PROGRESS_SICHUAN = {ReportStatus.DRAFT: 2, ReportStatus.SUBMITTED: 4, ReportStatus.RETURNED: 1}
SICHUAN = "51"


def demo_statuses(rows, *, is_open, keep_draft=()):
    """{inst_code: `ReportStatus`} of a demo cycle's rows; the same on every call.

    A closed cycle's reports are all accepted; an open cycle's too, except the few of
    `IN_PROGRESS` and the institutions of `keep_draft` (the demo reporter's), left drafts.
    """
    statuses = {row["inst_code"]: ReportStatus.ACCEPTED for row in rows}
    if not is_open:
        return statuses
    rng = random.Random(SEED + 1)
    sichuan = sorted(r["inst_code"] for r in rows if r["province"] == SICHUAN)
    others = sorted(r["inst_code"] for r in rows if r["province"] != SICHUAN)
    for codes, counts in ((sichuan, IN_PROGRESS_SICHUAN), (others, _rest_of(IN_PROGRESS))):
        codes = [code for code in codes if code not in keep_draft]
        chosen = iter(rng.sample(codes, sum(counts.values())))
        for status, count in counts.items():
            for _n in range(count):
                statuses[next(chosen)] = status
    statuses.update(dict.fromkeys(keep_draft, ReportStatus.DRAFT))
    return statuses


def _rest_of(counts):
    return {status: count - IN_PROGRESS_SICHUAN[status] for status, count in counts.items()}


# -------------------------------------------------------------------------------------------------
# The committed files (fixtures/demo/): what `manage.py build_demo` writes, `load_demo` loads


def demo_files() -> dict[str, bytes]:
    """{file name: content} of the demo: one interchange CSV per survey year, and
    `workflow.json` with what the format does not carry (which cycle is open, the reports of
    each cycle still in review, the demo reporter's institution). The same on every call.
    """
    cycles = generate_demo_rows()
    latest = max(cycles)
    # The demo reporter's report stays a draft, for them to fill in and submit.
    reporter = min(row["inst_code"] for row in cycles[latest] if row["province"] == SICHUAN)
    files, workflow = {}, {"reporter_institution": reporter, "cycles": {}}
    for year, rows in sorted(cycles.items()):
        stream = io.BytesIO()
        columns = exporting.columns([year])
        exporting.write_rows(
            (exporting.row_of(year, row, columns) for row in rows), stream, "csv", columns
        )
        files[survey_file_name(year)] = stream.getvalue()
        statuses = demo_statuses(rows, is_open=year == latest, keep_draft=[reporter])
        in_review = {
            str(status): sorted(code for code, s in statuses.items() if s == status)
            for status in IN_PROGRESS
        }
        workflow["cycles"][str(year)] = {
            "is_open": year == latest,
            "in_review": {status: codes for status, codes in in_review.items() if codes},
        }
    files[WORKFLOW_FILE] = (json.dumps(workflow, indent=2, ensure_ascii=False) + "\n").encode()
    return files


def stale_demo_files(directory=DEMO_DIR) -> list[str]:
    """The names of the demo files under `directory` that differ from what `demo_files` makes."""
    return [
        name
        for name, content in demo_files().items()
        if not (directory / name).is_file() or (directory / name).read_bytes() != content
    ]


def write_demo_files(directory=DEMO_DIR) -> dict[str, int]:
    """Write the demo files under `directory`; returns {file name: size in bytes}."""
    sizes = {}
    for name, content in demo_files().items():
        (directory / name).write_bytes(content)
        sizes[name] = len(content)
    return sizes
