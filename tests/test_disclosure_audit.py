"""The attacker as a test: from every figure a viewer can download for a year, the linear
system a careful reader would set up, and for each suppressed cell the interval it could lie
in (two linear programs, scipy's HiGHS). Every sensitive cell's interval must reach at least
PROTECTION (20%) of its value below and above it; no other suppressed cell may be pinned down.

The relations are written out here from the instrument (survey.instrument.items: GROUPS as
each year asked them, OF_WHICH) and the dictionary's rules, not taken from reports.privacy, so
that the audit checks the algorithm rather than repeating it. Between cycles that asked
different items, the like-for-like group totals the public sees (`Comparison.shared`) are one
more equation each: the sum of the items both cycles asked.
"""

import random
from collections import defaultdict

import numpy as np
import pytest
from django.urls import reverse

from departments.models import Institution, Province
from reports import metrics, privacy
from survey.instrument import items as instrument
from survey.instrument.items import GROUPS, OF_WHICH
from survey.models import Cycle, Report

linprog = pytest.importorskip("scipy.optimize").linprog

PROTECTION = 0.2
EPSILON = 1e-6
NATIONAL = "national"

# total = sum of the rest, as the dictionary's rules say.
RULE_EQUATIONS = [
    ("eq_owner_total", "eq_positron_total", "eq_single_photon_total"),
    ("staff_total", "title_total"),
    ("staff_total", "degree_total"),
    ("inst_license_III", "inst_license_IIIA", "inst_license_IIIB"),
]
AFFILIATIONS = ("independent", "medical_imaging", "pet_ct_center", "radiology", "other")
LICENCES = ("none", "I", "II", "IIIA", "IIIB", "IV")
# The options of one choice: their numbers reporting are the options' sum.
PARTITIONS = [
    ("inst_public", "inst_nonpublic"),
    ("inst_tertiary", "inst_secondary", "inst_tier_other"),
    tuple(f"inst_affiliation_{a}" for a in AFFILIATIONS),
    tuple(f"inst_license_{c}" for c in LICENCES),
]
# part <= whole: "of which" and "needs" rules, and definitions.
RULE_BOUNDS = [
    ("inst_tertiary_top", "inst_tertiary"),
    ("inst_with_positron_equipment_tertiary", "inst_with_positron_equipment"),
    ("inst_with_positron_equipment_tertiary", "inst_tertiary"),
    *(
        (f"inst_therapy_{kind}", "inst_therapy")
        for kind in ("i131", "bone", "radioligand", "plaster", "yunke")
    ),
    ("inst_svc_therapy_outpatient", "inst_svc_therapy"),
    ("inst_svc_therapy_ward", "inst_svc_therapy"),
    *((f"inst_rp_{n}", "inst_rp_positron") for n in ("f18", "ga68", "c11", "n13")),
    ("inst_in_vitro", "inst_svc_in_vitro"),
    *((f"inst_iv_{f}", "inst_svc_in_vitro") for f in ("internal_qc", "eqa_national")),
    *((f"inst_iv_{f}", "inst_svc_in_vitro") for f in ("eqa_provincial", "cnas_auditors")),
    ("iv_samples", "iv_tests"),
    ("therapy_wards", "therapy_beds"),
    ("inst_therapy_radioligand", "inst_rp_lu177"),  # 177Lu therapy needs rp_lu177
    *OF_WHICH.items(),  # long-axial PET/CT units at most the PET/CT units, ...
]
# Counts of institutions with a value above 0 in these sums.
COUNT_LINKS = {
    "inst_in_vitro": ["iv_samples"],
    "inst_with_cyclotron": ["eq_cyclotron"],
    "inst_with_positron_equipment": [
        "eq_pet_ct",
        "eq_pet_mri",
        "eq_positron_total",
        "eq_pet_long_axial",
        "eq_positron_domestic",
    ],
    "inst_therapy": ["tx_total", *GROUPS["tx_total"]],
    "inst_therapy_i131": ["tx_i131_graves", "tx_i131_thyroid"],
    "inst_therapy_bone": ["tx_sr89_bone", "tx_ra223"],
    "inst_therapy_radioligand": ["tx_lu177_psma", "tx_lu177_sstr"],
    "inst_therapy_plaster": ["tx_sr90_y90_applicator", "tx_p32_patch"],
    "inst_therapy_yunke": ["tx_tc99_mdp"],
    # therapy_wards: "only with svc_therapy_ward".
    "inst_svc_therapy_ward": ["therapy_wards"],
    # tx_lu177_*: "needs rp_lu177".
    "inst_rp_lu177": ["tx_lu177_psma", "tx_lu177_sstr"],
}


def downloaded(client, year, baseline=None):
    """Every scope's figures as the client downloads them: {scope: document}."""
    codes = [None, *Province.objects.values_list("code", flat=True)]
    documents = {}
    for code in codes:
        query = {"year": year, **({"baseline": baseline} if baseline else {})}
        if code:
            query["province"] = code
        response = client.get(reverse("reports:aggregates", args=["json"]), query)
        assert response.status_code == 200
        documents[code or NATIONAL] = response.json()
    return documents


class Reader:
    """The careful reader's linear system over the suppressed cells."""

    def __init__(self, documents, known_province=None, truth=None, shared=None):
        national = documents[NATIONAL]
        self.year = national["year"]
        baseline = national.get("baseline_year")
        # Their growth is over the items both cycles asked: it gives no full figure.
        self.like_for_like = metrics.differing_metrics(self.year, baseline) if baseline else {}
        self.fixed = {}
        self.unknown = []
        self.suppressed = set()
        for scope, document in documents.items():
            blanked = set(document.get("suppressed", ()))
            for code, figure in document["metrics"].items():
                cell = (scope, code)
                if scope == known_province:
                    # A coordinator works out its own province's published figures.
                    self.fixed[cell] = truth[scope][code].value or 0
                elif code in blanked:
                    self.suppressed.add(cell)
                    derived = None if code in self.like_for_like else self._from_growth(figure)
                    if derived is None:
                        self.unknown.append(cell)
                    else:
                        self.fixed[cell] = derived
                else:
                    assert figure["value"] is not None or figure["n_reporting"] in (0, None)
                    self.fixed[cell] = figure["value"] or 0
        self.index = {cell: i for i, cell in enumerate(self.unknown)}
        self.equalities, self.inequalities = [], []  # ({cell: coefficient}, constant)
        self._relations(documents, truth or {})
        # Like-for-like group totals: those the download gives, and those given besides (a
        # count of institutions over them the public never sees: the leak tests say so).
        given = [
            (scope, figure["shared"]["items"], figure["shared"]["value"])
            for scope, document in documents.items()
            for code, figure in document["metrics"].items()
            if code in GROUPS and (figure.get("shared") or {}).get("value") is not None
        ]
        given += [(scope, *total) for scope, totals in (shared or {}).items() for total in totals]
        for scope, items, value in given:
            self.equal({(scope, code): 1 for code in items}, value)

    @staticmethod
    def _from_growth(figure):
        """A growth % beside its shown baseline gives the value."""
        if figure["growth_pct"] is None or figure["baseline"] is None:
            return None
        return figure["baseline"] * (1 + figure["growth_pct"] / 100)

    def _relations(self, documents, truth):
        scopes = list(documents)
        codes = list(documents[NATIONAL]["metrics"])
        for scope in scopes:
            groups = ((total, instrument.group_parts(total, self.year)) for total in GROUPS)
            for total, parts in [*groups, *((e[0], e[1:]) for e in RULE_EQUATIONS)]:
                self.equal({(scope, total): 1, **{(scope, p): -1 for p in parts}})
            for part, whole in RULE_BOUNDS:
                self.at_most({(scope, part): 1, (scope, whole): -1})
            for code in codes:
                if code.startswith("inst_"):
                    self.at_most({(scope, code): 1, (scope, "institutions"): -1})
            for count, sums in [*COUNT_LINKS.items(), ("institutions", self._sums(codes))]:
                self._count_link(scope, count, sums)
            self._reporting(scope, documents[scope]["metrics"])
            self._choices(scope, truth.get(scope, {}))
        for code in codes:
            provinces = {(scope, code): -1 for scope in scopes if scope != NATIONAL}
            self.equal({(NATIONAL, code): 1, **provinces})

    @staticmethod
    def _sums(codes):
        return [code for code in codes if metrics.metrics()[code].is_sum]

    def _count_link(self, scope, count, sums):
        cell = (scope, count)
        if cell in self.fixed and self.fixed[cell] == 0:
            for code in sums:
                self.equal({(scope, code): 1})
        elif cell in self.index and any(self.fixed.get((scope, c), 0) > 0 for c in sums):
            self.at_most({cell: -1}, -1)  # a sum above 0: at least one institution

    def _choices(self, scope, truth):
        """Every institution gives at most one option of a choice: the options add up to at
        most the institutions, and exactly when none left it blank (the reader is assumed
        to know whether one did: the worst case)."""
        for options in PARTITIONS:
            terms = {(scope, "institutions"): -1, **{(scope, code): 1 for code in options}}
            institutions = truth.get("institutions")
            answered = truth.get(options[0])
            if institutions is not None and institutions.n_reporting == answered.n_reporting:
                self.equal(terms)
            else:
                self.at_most(terms)

    def _reporting(self, scope, figures):
        for partition in PARTITIONS:
            n = figures[partition[0]]["n_reporting"]
            if n is not None:
                self.equal({(scope, code): 1 for code in partition}, n)
        shown = [f["n_reporting"] for f in figures.values() if f["n_reporting"] is not None]
        if shown:
            self.at_most({(scope, "institutions"): -1}, -max(shown))

    def _split(self, terms, constant):
        """Move the fixed cells' terms into the constant."""
        variables = {}
        for cell, coefficient in terms.items():
            if cell in self.index:
                variables[cell] = coefficient
            else:
                constant -= coefficient * self.fixed.get(cell, 0)
        return variables, constant

    def equal(self, terms, constant=0):
        variables, constant = self._split(terms, constant)
        if variables:
            self.equalities.append((variables, constant))

    def at_most(self, terms, constant=0):
        variables, constant = self._split(terms, constant)
        if variables:
            self.inequalities.append((variables, constant))

    def intervals(self):
        """{cell: (lowest, highest)} of every unknown cell, one connected block at a time."""
        parent = list(range(len(self.unknown)))

        def root(i):
            while parent[i] != i:
                parent[i] = parent[parent[i]]
                i = parent[i]
            return i

        for variables, _ in self.equalities + self.inequalities:
            first, *rest = [self.index[c] for c in variables]
            for other in rest:
                parent[root(other)] = root(first)
        blocks = defaultdict(list)
        for cell, i in self.index.items():
            blocks[root(i)].append(cell)
        result = {}
        for cells in blocks.values():
            result |= self._solve_block(cells)
        return result

    def _solve_block(self, cells):
        local = {cell: i for i, cell in enumerate(cells)}

        def matrix(rows):
            rows = [r for r in rows if next(iter(r[0])) in local]
            if not rows:
                return None, None
            a = np.zeros((len(rows), len(cells)))
            for row, (variables, _) in enumerate(rows):
                for cell, coefficient in variables.items():
                    a[row, local[cell]] = coefficient
            return a, np.array([constant for _, constant in rows])

        a_eq, b_eq = matrix(self.equalities)
        a_ub, b_ub = matrix(self.inequalities)
        result = {}
        for cell in cells:
            bounds = []
            for sign in (1, -1):
                c = np.zeros(len(cells))
                c[local[cell]] = sign
                solved = linprog(c, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq, method="highs")
                if solved.status == 3:  # unbounded
                    bounds.append(-sign * np.inf)
                else:
                    assert solved.status == 0, f"{cell}: {solved.message}"
                    bounds.append(sign * solved.fun)
            result[cell] = tuple(bounds)
        return result


def audit(documents, truth, known_province=None, shared=None):
    """The cells the reader narrows too far: [(cell, value, lowest, highest)]. `shared`:
    {scope: [(items, their sum)]} the reader is given besides `documents`."""
    reader = Reader(documents, known_province, truth, shared)
    intervals = reader.intervals()
    definitions = metrics.metrics()
    failures = []
    for cell in reader.suppressed:
        scope, code = cell
        value = truth.get(scope, {}).get(code)
        value = (value.value or 0) if value else 0
        low, high = intervals.get(cell, (reader.fixed.get(cell), reader.fixed.get(cell)))
        figure = truth.get(scope, {}).get(code)
        # A coordinator knows its own hospitals' share of a national figure: what must stay
        # protected is the others' share.
        others = value - (
            reader.fixed[(known_province, code)] if scope == NATIONAL and known_province else 0
        )
        if figure is not None and privacy.is_sensitive(definitions[code], figure):
            margin = PROTECTION * others
            protected = low <= value - margin + EPSILON and high >= value + margin - EPSILON
        else:
            protected = high - low >= 1 - EPSILON
        if not protected:
            failures.append((cell, value, low, high))
    return failures


def public_shared(year, baseline, side="value"):
    """{scope: [(items, sum)]}: the like-for-like group totals over the items both cycles
    asked that the public sees comparing `year` with `baseline`, `year`'s (`side` "value")
    or `baseline`'s ("baseline"), as every page and download reads them."""
    from django.contrib.auth.models import AnonymousUser

    result = {}
    for code in [None, *Province.objects.values_list("code", flat=True)]:
        disclosure = privacy.disclosure_for(AnonymousUser(), code, year, baseline)
        comparison = privacy.apply(
            privacy.compare(year=year, baseline=baseline, province=code, disclosure=disclosure),
            disclosure,
        )
        result[code or NATIONAL] = [
            (figure.shared.items, getattr(figure.shared, side))
            for figure in comparison.values()
            if figure.shared is not None and getattr(figure.shared, side) is not None
        ]
    return result


def truth_of(year):
    """The public table with every province (none reporting: nothing)."""
    table = privacy.public_table(year)
    return {
        scope: table.get(scope, {})
        for scope in [NATIONAL, *Province.objects.values_list("code", flat=True)]
    }


# --- Small data sets built for the audit ------------------------------------------------------


def split(rng, total, parts):
    """`total` cut at random into `parts` whole numbers."""
    cuts = sorted(rng.randint(0, total) for _ in range(parts - 1))
    return [b - a for a, b in zip([0, *cuts], [*cuts, total], strict=True)]


def rare(rng, big):
    """Mostly 0, sometimes one hospital's large value."""
    return rng.choice([0, 0, 0, 0, rng.randint(1, big)])


def hospital_values(rng, year=2023):
    """One hospital's report of `year`, consistent with the dictionary's rules."""
    staff = rng.choice([0, 3, 8, 20, 60])
    positron = [rare(rng, 3), rare(rng, 1)]
    single = [rng.randint(0, 3), rare(rng, 2), rare(rng, 1)]
    in_vitro = rng.random() < 0.5
    samples = rare(rng, 60000) if in_vitro else 0
    therapy = rng.random() < 0.6
    values = {
        "ownership": rng.choice(["public", "public", "public", "nonpublic"]),
        "tier": rng.choice(["tertiary_top", "tertiary", "secondary", "other"]),
        "license_class": rng.choice(["II", "IIIA", "IIIB", "IV"]),
        "dept_affiliation": rng.choice(["independent", "medical_imaging", "radiology", ""]),
        "eq_pet_ct": positron[0],
        "eq_pet_mri": positron[1],
        "eq_spect_ct": single[0],
        "eq_spect": single[1],
        "eq_czt_spect_ct": single[2],
        "eq_owner_nm": sum(positron) + sum(single),
        "eq_cyclotron": rare(rng, 2),
        "exam_pet_tumor": positron[0] * rng.randint(0, 4000),
        "exam_pet_neuro": rare(rng, 300) if positron[0] else 0,
        "exam_sp_skeletal": rng.randint(0, 5000),
        "exam_sp_endocrine": rare(rng, 2000),
        "tx_i131_graves": rng.randint(0, 400) if therapy else 0,
        "tx_i131_thyroid": rare(rng, 300) if therapy else 0,
        "tx_sr89_bone": rare(rng, 50) if therapy else 0,
        "svc_therapy": therapy,
        "svc_in_vitro": in_vitro,
        "svc_pet": bool(positron[0]),
        "iv_samples": samples,
        "iv_tests": samples * rng.randint(1, 5),
        "iv_internal_qc": in_vitro and rng.random() < 0.5,
        "rp_positron": bool(positron[0]),
        "rp_ga68": bool(positron[0]) and rng.random() < 0.3,
    }
    for group, total in (("staff_total", staff), ("title_total", staff)):
        values |= dict(zip(GROUPS[group][:3], split(rng, total, 3), strict=True))
    values |= dict(zip(GROUPS["degree_total"], split(rng, staff, 3), strict=True))
    return values | (edition_2028_values(rng, values) if year >= 2028 else {})


def edition_2028_values(rng, values):
    """The items the 2028 edition adds, consistent with the hospital's other `values` and the
    rules: wards at most beds, `of which` parts at most their whole."""
    therapy, pet = values["svc_therapy"], values["eq_pet_ct"]
    ward = therapy and rng.random() < 0.4
    pet_examinations = sum(values.get(code, 0) for code in GROUPS["exam_pet_total"])
    lu177_psma = rare(rng, 60) if therapy else 0
    lu177_sstr = rare(rng, 30) if therapy else 0
    return {
        "svc_therapy_ward": ward,
        "therapy_beds": rng.randint(4, 40) if ward else 0,
        "therapy_wards": rng.randint(1, 4) if ward else 0,
        "campuses": rng.randint(1, 3),
        "svc_outpatient_visits": rng.randint(0, 20000),
        "eq_pet_long_axial": rare(rng, pet) if pet else 0,
        "eq_positron_domestic": rng.randint(0, pet + values["eq_pet_mri"]),
        "exam_pet_psma": rare(rng, pet_examinations // 4) if pet_examinations >= 4 else 0,
        "exam_pet_fapi": rng.randint(0, pet_examinations // 10),
        "tx_lu177_psma": lu177_psma,
        "tx_lu177_sstr": lu177_sstr,
        "tx_ra223": rare(rng, 20) if therapy else 0,
        # 177Lu therapy needs 177Lu in use (a rule); some use it for imaging only.
        "rp_lu177": bool(lu177_psma or lu177_sstr) or (therapy and rng.random() < 0.3),
        "res_clinical_trials": rare(rng, 5),
    }


# The province of `build_small_provinces` where one hospital gives every 177Lu-PSMA treatment.
ONE_LU177_PROVINCE = "11"


def build_small_provinces(seed, *, provinces=14, drafts=3, years=(2023,)):
    """Many small provinces (1 to 6 hospitals), one-contributor cells and zeros; the same
    hospitals report in each of `years` (the last one's cycle open, drafts in it). From 2028,
    one hospital of ONE_LU177_PROVINCE gives all its 177Lu-PSMA treatments."""
    rng = random.Random(seed)
    for year in years:
        Cycle.objects.create(year=year, is_open=year == years[-1])
    codes = list(Province.objects.values_list("code", flat=True))[:provinces]
    serial = 0
    for code in codes:
        for number in range(rng.randint(1, 6)):
            serial += 1
            institution = Institution.objects.create(
                code=f"A{serial:04d}", name_zh="医院", province_id=code
            )
            for year in years:
                values = hospital_values(rng, year)
                if year >= 2028 and code == ONE_LU177_PROVINCE:
                    values |= {"svc_therapy": True, "tx_lu177_psma": 150 if number == 0 else 0}
                    values["rp_lu177"] = bool(values["tx_lu177_psma"] or values["tx_lu177_sstr"])
                Report.objects.create(
                    institution=institution,
                    cycle_id=year,
                    status=rng.choice(["accepted", "accepted", "submitted"]),
                    **values,
                )
    for n in range(drafts):  # drafts count for no one but the entitled
        institution = Institution.objects.create(
            code=f"D{n:04d}", name_zh="医院", province_id=rng.choice(codes)
        )
        Report.objects.create(
            institution=institution, cycle_id=years[-1], **hospital_values(rng, years[-1])
        )
    return codes


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_no_suppressed_cell_can_be_narrowed_by_an_anonymous_reader(client, db, seed):
    build_small_provinces(seed)
    truth = truth_of(2023)
    documents = downloaded(client, 2023)
    assert sum(len(d["suppressed"]) for d in documents.values()) > 50  # the audit has work
    assert audit(documents, truth) == []


def test_a_reporter_downloads_what_the_public_does(client, db, make_user):
    build_small_provinces(4)
    anonymous = downloaded(client, 2023)
    client.force_login(make_user("reporter", institution=Institution.objects.get(code="A0001")))
    assert downloaded(client, 2023) == anonymous


def test_a_coordinator_who_knows_its_province_narrows_no_other_provinces_cell(
    client, db, make_user
):
    codes = build_small_provinces(5)
    truth = truth_of(2023)
    for code in codes[:4]:
        client.force_login(make_user("coordinator", province=Province.objects.get(code=code)))
        assert audit(downloaded(client, 2023), truth, known_province=code) == [], code


def test_the_2028_table_and_its_comparison_with_2023_give_no_suppressed_cell_away(client, db):
    """The 2028 edition's relations: 177Lu and 223Ra in the treatments, the therapy groups'
    institutions, the wards at most the beds, the `of which` parts at most their wholes; and
    the like-for-like treatments over the items 2023 asked too."""
    build_small_provinces(6, years=(2023, 2028))
    documents = downloaded(client, 2028, baseline=2023)
    assert documents[NATIONAL]["year"] == 2028
    assert "tx_lu177_psma" in documents[ONE_LU177_PROVINCE]["suppressed"]  # one hospital's
    new = {
        (scope, code)
        for scope, document in documents.items()
        for code in document["suppressed"]
        if not metrics.metrics()[code].asked_in(2023)
    }
    assert len(new) > 20  # the new items are among the audit's work
    shared = public_shared(2028, 2023)
    assert any(items for totals in shared.values() for items, _value in totals)
    assert audit(documents, truth_of(2028), shared=shared) == []
    assert (
        audit(
            downloaded(client, 2023), truth_of(2023), shared=public_shared(2028, 2023, "baseline")
        )
        == []
    )


# --- The demo data ----------------------------------------------------------------------------


@pytest.fixture
def loaded_demo(db):
    import io

    from django.core.management import call_command

    call_command("load_demo", stdout=io.StringIO())
    if not metrics.published(Report.objects.all()).exists():
        # Until load_demo marks the demo's reports accepted, audit them as if it did.
        Report.objects.update(status="accepted")


# The national figures the brief report leads with: suppression must protect hospitals without
# taking these from the public (a greedy that hid every province's cell and then the nation's
# once did).
HEADLINES = (
    "institutions",
    "eq_positron_total",
    "eq_pet_ct",
    "eq_single_photon_total",
    "exam_pet_total",
    "exam_sp_total",
    "tx_total",
    "staff_total",
    "title_total",
    "degree_total",
    "inst_in_vitro",
)


@pytest.mark.slow
def test_the_national_headline_figures_stay_public(client, loaded_demo):
    national = downloaded(client, 2023)["national"]
    assert not set(HEADLINES) & set(national["suppressed"])
    assert national["metrics"]["eq_positron_total"]["value"] > 0


@pytest.mark.slow
def test_the_demo_data_gives_no_suppressed_cell_away(client, loaded_demo):
    truth = truth_of(2023)
    documents = downloaded(client, 2023)
    suppressed = {(s, c) for s, d in documents.items() for c in d["suppressed"]}
    assert ("national", "eq_czt_spect_ct") in suppressed  # one hospital's unit
    assert audit(documents, truth) == []
