"""Disclosure control: no figure shown to someone not entitled to the reports reveals one
hospital's values, by itself or by arithmetic (the way statistical offices do it; τ-ARGUS and
sdcTable are the references).

Who is entitled. Analysts and admins see every report, so every figure; a province's own
coordinator sees that province's reports, so its figures (`viewer_province`). They see the
figures of all reports, drafts included, with the cells the public does not see marked.
Everyone else, for every other scope (the nation included), sees the *public table* of a year:
figures of published reports only (submitted or accepted: a draft is still being written),
with the cells below blanked. The `survey_aggregates` command runs with server access.

1. Primary rule. A sum (an item or a group total) is sensitive when fewer than
   `SURVEY_DISCLOSURE_MIN_CONTRIBUTORS` (3) institutions contribute a value above 0 (zeros
   from any number of institutions contribute nothing), or when the largest contributor holds
   more than `SURVEY_DISCLOSURE_DOMINANCE` (85%) of it. A count of institutions (`inst_*`,
   `institutions`) of 1 or 2 is sensitive itself. A metric the year's cycle did not ask
   (`Figure.asked` False) is neither sensitive nor a complement: it is shown as not asked.

2. Secondary suppression, on the whole table of a year at once (the nation and every
   province), so that what is shown neither gives nor narrows a sensitive cell. The relations
   a reader can use are those of the year's edition (an item a cycle did not ask is in none
   of its relations):
   - a group total is the sum of its parts asked that year, and the totals the rules make
     equal;
   - the options of a choice (ownership, level, affiliation, licence class, III counted as
     one) add up to the institutions (exactly when none left it blank: taken as exact);
   - the national figure is the sum of the provinces';
   - bounds: an `of which` part is at most its whole (`instrument.OF_WHICH`: long-axial PET
     at most PET/CT units, ...; the therapy wards at most the therapy beds; a count of
     institutions at most the institutions reporting, 131I therapy institutions at most
     therapy institutions, ...);
   - a count of institutions with any of some items above 0 (those behind it: institutions
     giving therapy, a therapy group's, ...) is 0 when those items, their group totals and
     their `of which` parts are, and at least 1 when one of them is above 0; so is the count
     of the institutions with a therapy ward for the wards.
   Each hidden cell carries a protection requirement: PROTECTION (20%) of its value for a
   sensitive cell, the requirement of the cell it protects for a complement. Greedily, to a
   fixed point:
   - in every equation with a hidden cell, the other hidden cells must be able to absorb the
     requirement (their room to move down, their value, and up, the distance to their bound
     if that is shown);
     otherwise one more shown cell of that equation is hidden, in each pass one per
     equation: one with room enough, a province's part before a national figure or a group
     total (what readers come for, as statistical offices weigh a cell by what its loss
     costs), then the one that opens fewest new equations. The national equation must hold
     even for a coordinator
     who knows one province whole: there the largest other province's room does not count
     (so a hidden national column has at least three hidden cells). A hidden cell's room
     counts only as far as its other equations let it move (two equations deep), and a 0
     that a shown count of 0 gives away is never a complement;
   - a shown whole that bounds a hidden part too closely is hidden, and so is a shown part
     that bounds a hidden whole too closely from below.
   The audit (`tests/test_disclosure_audit.py`) proves the result with linear programs: from
   every figure a viewer can download, each sensitive cell's feasible interval reaches at
   least 20% of its value below and above it, and no suppressed cell is pinned down.

3. Derived figures follow their sources. Growth is shown when both years' figures are (with
   one of them, it gives the other); the matched-panel growth is for entitled viewers only
   (beside the growth over everyone, it gives the hospitals that joined or left away); a
   share needs its base shown; a density is the figure divided by
   a public population; a rank is among (and out of) the provinces whose figure is shown. How many
   institutions reported a figure is shown with it, when the number of reporting
   institutions is shown and, for an option of a choice (ownership, tier, ...), when every
   option is shown (the numbers reporting are their sum).
   Between cycles that asked different items behind a metric (`Comparison.shared`: 2028's
   treatments include 177Lu, 2023's do not), growth is over the items both asked. A group
   total over those items is shown (with its growth when both years' are) where it follows
   from what is shown: every one of those items is shown that year, or the full total and
   every other part. Otherwise it is hidden with its growth. A count of institutions over
   those items (therapy institutions without those giving only the new therapies) follows
   from no cell, and the full count less it counts the institutions giving only the new
   therapies, which may be one or two: it is for entitled viewers only (like the
   matched-panel growth), and the public sees no growth of that metric between those cycles
   rather than an unlike one. Entitled viewers see the growths the public does not marked
   (`Disclosure.marked_growth`).

4. The public's default year is the latest with published reports that is closed or has at
   least `SURVEY_PUBLIC_MIN_SHARE` (half) as many as the previous default year: a cycle just
   opened is never shown for it.

The public table of a year and its pattern are computed together and cached as one entry
(`public`): what is shown is never newer than what is blanked.
"""

import hashlib
from dataclasses import dataclass, field, replace
from functools import cache

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q

from accounts.roles import scope_of
from departments.models import DeptAffiliation
from reports import metrics
from reports.metrics import Comparison, Figure, Shared
from survey import versions
from survey.instrument import items as instrument
from survey.instrument.items import GROUPS, OF_WHICH, THERAPY_GROUPS
from survey.instrument.sections.radiopharmaceuticals import LICENSE_CLASS_III, LicenseClass
from survey.models import PUBLISHED_STATUSES, Cycle, Report

NATIONAL = "national"
PROTECTION = 0.2

# Group totals the dictionary's rules tie together: staff counted three ways; imaging units by
# owning department and by type; class III licences are IIIA and IIIB.
EQUATIONS = (
    ("eq_owner_total", "eq_positron_total", "eq_single_photon_total"),
    ("staff_total", "title_total"),
    ("staff_total", "degree_total"),
    ("inst_license_III", "inst_license_IIIA", "inst_license_IIIB"),
)
LICENSE_OPTIONS = [
    *(value for value in LicenseClass.values if value not in LICENSE_CLASS_III),
    "III",
]
# The options of a choice add up to the institutions reporting (a hidden option is the
# institutions less the others). A report may leave a choice blank, which only loosens the
# equation for a reader; the algorithm takes it as exact, the worst case.
CHOICE_EQUATIONS = (
    ("institutions", "inst_public", "inst_nonpublic"),
    ("institutions", "inst_tertiary", "inst_secondary", "inst_tier_other"),
    ("institutions", *(f"inst_affiliation_{value}" for value in DeptAffiliation.values)),
    # Class III as one option: its equation gives IIIA and IIIB (one system, nested).
    ("institutions", *(f"inst_license_{value}" for value in LICENSE_OPTIONS)),
)
# (part, whole): the rules and definitions make the part at most the whole.
BOUNDS = (
    ("inst_tertiary_top", "inst_tertiary"),
    ("inst_with_positron_equipment_tertiary", "inst_with_positron_equipment"),
    ("inst_with_positron_equipment_tertiary", "inst_tertiary"),
    *((f"inst_therapy_{group}", "inst_therapy") for group in THERAPY_GROUPS),
    ("inst_svc_therapy_outpatient", "inst_svc_therapy"),
    ("inst_svc_therapy_ward", "inst_svc_therapy"),
    ("inst_rp_f18", "inst_rp_positron"),
    ("inst_rp_ga68", "inst_rp_positron"),
    ("inst_rp_c11", "inst_rp_positron"),
    ("inst_rp_n13", "inst_rp_positron"),
    ("inst_in_vitro", "inst_svc_in_vitro"),
    ("inst_iv_internal_qc", "inst_svc_in_vitro"),
    ("inst_iv_eqa_national", "inst_svc_in_vitro"),
    ("inst_iv_eqa_provincial", "inst_svc_in_vitro"),
    ("inst_iv_cnas_auditors", "inst_svc_in_vitro"),
    ("iv_samples", "iv_tests"),
    ("therapy_wards", "therapy_beds"),
    # 177Lu radioligand therapy needs 177Lu in use.
    ("inst_therapy_radioligand", "inst_rp_lu177"),
    # "of which" items: at most their item or group total.
    *OF_WHICH.items(),
)
# Counts of institutions with a value above 0 in any item behind them (`Metric.behind`): 0
# makes those items 0, and every sum of them only (a group total, an `of which` part), and one
# of them above 0 makes the count at least 1.
COUNTS_OF_ANY = (
    "inst_in_vitro",
    "inst_with_cyclotron",
    "inst_with_positron_equipment",
    "inst_therapy",
    *(f"inst_therapy_{group}" for group in THERAPY_GROUPS),
)
# The same for a flag and the counts only a "yes" may give (the dictionary's "only with").
FLAG_LINKS = {
    "inst_svc_therapy_ward": ("therapy_wards",),
    "inst_rp_lu177": THERAPY_GROUPS["radioligand"],
}


def min_contributors():
    return settings.SURVEY_DISCLOSURE_MIN_CONTRIBUTORS


def is_sensitive(metric, figure):
    """The primary rule: would `figure` of `metric` (a metrics.Figure) reveal an institution?
    A figure not asked, not reported or 0 reveals nothing."""
    if not figure.value:
        return False
    if metric.is_sum:
        dominated = figure.largest > settings.SURVEY_DISCLOSURE_DOMINANCE * figure.value
        return figure.contributors < min_contributors() or dominated
    return figure.value < min_contributors()


def viewer_province(user, province_code):
    """None when `user` sees every figure of `province_code` (None for the nation); else the
    province `user` sees whole ("" for none)."""
    scope = scope_of(user)
    if scope.everything or (province_code is not None and scope.province_id == province_code):
        return None
    return scope.province_id or ""


def is_entitled(user, province_code):
    return viewer_province(user, province_code) is None


# --- The relations a reader can use --------------------------------------------------------


def _asked(year):
    """The metrics the cycle of `year` asks (every one for None)."""
    return {code: m for code, m in metrics.metrics().items() if m.asked_in(year)}


@cache
def scope_equations(year=None):
    """Tuples of one scope's metric codes tied by an equation (a total and its parts), as
    the cycle of `year` asked them: a group total is over the parts asked that year."""
    known = _asked(year)
    equations = [
        *((total, *instrument.group_parts(total, year)) for total in GROUPS),
        *EQUATIONS,
        *CHOICE_EQUATIONS,
    ]
    kept = (tuple(code for code in eq if code in known) for eq in equations)
    return tuple(eq for eq in kept if len(eq) > 1)


@cache
def scope_bounds(year=None):
    """(part, whole) pairs of one scope in `year`: the part is at most the whole."""
    known = _asked(year)
    counts = [code for code, m in known.items() if not m.is_sum and code != "institutions"]
    pairs = [*BOUNDS, *((code, "institutions") for code in counts)]
    return tuple((part, whole) for part, whole in pairs if part in known and whole in known)


@cache
def count_links(year=None):
    """{count of institutions: the sums it bounds} in `year`, `institutions` bounding every
    sum."""
    known = _asked(year)
    links = {code: _sums_of(known[code].behind, known) for code in COUNTS_OF_ANY if code in known}
    links |= {code: _sums_of(sums, known) for code, sums in FLAG_LINKS.items() if code in known}
    links["institutions"] = tuple(code for code, m in known.items() if m.is_sum)
    return {code: sums for code, sums in links.items() if sums}


def _sums_of(codes, known):
    """`codes` asked (in `known`), the group totals of only them and the `of which` parts of
    any of them: the sums that are 0 when every one of `codes` is."""
    items = [code for code in codes if code in known]
    totals = [total for total in GROUPS if total in known and set(known[total].parts) <= set(codes)]
    of_which = [
        part for part, whole in OF_WHICH.items() if part in known and whole in items + totals
    ]
    return (*items, *totals, *of_which)


@cache
def counted_by(year=None):
    """{sum: the counts of institutions that are 0 when it is}."""
    result = {}
    for count, sums in count_links(year).items():
        for code in sums:
            result.setdefault(code, []).append(count)
    return result


@cache
def choice_families():
    """{code: the codes reporting the same choice}: their numbers reporting are one sum."""
    by_reported = {}
    for code, metric in metrics.metrics().items():
        if not metric.is_sum and code != "institutions":
            by_reported.setdefault(metric.reported, []).append(code)
    return {code: frozenset(codes) for codes in by_reported.values() for code in codes}


# --- Secondary suppression -----------------------------------------------------------------


class _Table:
    """The public table of a year and the hidden cells' requirements, as the greedy works."""

    def __init__(self, table, year):
        self.table = table
        self.year = year
        self.hidden = {}  # (scope, code) -> protection requirement
        # room_within of (cell, equation, depth) for the current hidden set: the greedy asks
        # the same ones many times between two hides, and the recursion fans out.
        self.rooms = {}
        self.equations = []
        self.national = set()  # indexes of the national equations
        for scope in table:
            for equation in scope_equations(year):
                self.equations.append(tuple((scope, code) for code in equation))
        provinces = [scope for scope in table if scope != NATIONAL]
        for code in _asked(year):
            self.national.add(len(self.equations))
            self.equations.append(((NATIONAL, code), *((p, code) for p in provinces)))
        self.equations_of = {}
        for index, equation in enumerate(self.equations):
            for cell in equation:
                self.equations_of.setdefault(cell, []).append(index)
        self.hidden_in = [0] * len(self.equations)
        self.wholes = {}
        for scope in table:
            for part, whole in scope_bounds(year):
                self.wholes.setdefault((scope, part), []).append((scope, whole))

    def value(self, cell):
        scope, code = cell
        return self.table[scope][code].value or 0

    def blank(self, cell):
        """Nobody reported it, or the cycle did not ask it: it shows as not reported (not
        asked) and is never hidden."""
        scope, code = cell
        return self.table[scope][code].value is None

    def zero_by_count(self, cell):
        """A 0 that a shown count of 0 institutions gives away: hiding it protects nothing."""
        scope, code = cell
        if self.value(cell):
            return False
        return any(
            (scope, count) not in self.hidden and not self.value((scope, count))
            for count in counted_by(self.year).get(code, ())
        )

    def room(self, cell):
        """How far a reader could move a hidden cell either way before a bound stops it."""
        # A hidden whole moves with its part: only a shown one stops it.
        up = min(
            (
                self.value(whole) - self.value(cell)
                for whole in self.wholes.get(cell, ())
                if whole not in self.hidden
            ),
            default=float("inf"),
        )
        return min(self.value(cell), up)

    def room_within(self, cell, index, depth=2):
        """`room`, and no more than each other equation of the cell lets it move: as far as
        that equation's other hidden cells can make up for it, themselves so limited, down
        to `depth` equations away (a part of what the audit's linear programs see)."""
        key = (cell, index, depth)
        if key not in self.rooms:
            self.rooms[key] = self._room_within(cell, index, depth)
        return self.rooms[key]

    def _room_within(self, cell, index, depth):
        room = self.room(cell)
        if not depth:
            return room
        for other in self.equations_of.get(cell, ()):
            if other == index:
                continue
            cells = [c for c in self.equations[other] if c != cell and c in self.hidden]
            rooms = [self.room_within(c, other, depth - 1) for c in cells]
            total = sum(rooms)
            if other in self.national:
                # A coordinator knows one province whole.
                province_rooms = (r for c, r in zip(cells, rooms, strict=True) if c[0] != NATIONAL)
                total -= max(province_rooms, default=0)
            room = min(room, total)
        return room

    def hide(self, cell, requirement):
        if cell not in self.hidden:
            for index in self.equations_of.get(cell, ()):
                self.hidden_in[index] += 1
            self.rooms.clear()
        self.hidden[cell] = max(self.hidden.get(cell, 0), requirement)

    def protected(self, index, cell):
        """Do the other hidden cells of equation `index` absorb `cell`'s requirement?"""
        others = [c for c in self.equations[index] if c != cell and c in self.hidden]
        rooms = [self.room_within(c, index) for c in others]
        room = sum(rooms)
        needed_others = 1
        if index in self.national:
            # A province's coordinator knows that province whole: it must not matter.
            province_rooms = (r for c, r in zip(others, rooms, strict=True) if c[0] != NATIONAL)
            room -= max(province_rooms, default=0)
            needed_others = 2
        return len(others) >= needed_others and room >= self.hidden[cell]

    def complement(self, index, requirement):
        """The shown cell of equation `index` best hidden next: room enough, fewest equations
        newly opened, least information lost."""
        candidates = [
            c
            for c in self.equations[index]
            if c not in self.hidden and not self.blank(c) and not self.zero_by_count(c)
        ]
        if not candidates:
            return None

        def cost(cell):
            opened = sum(1 for i in self.equations_of[cell] if i != index and not self.hidden_in[i])
            room = self.room(cell)
            enough = room >= requirement and room > 0
            # A national figure or a group total is what readers come for: hide a part of a
            # province first, as statistical offices weigh cells by what their loss costs.
            headline = (cell[0] == NATIONAL) + (cell[1] in GROUPS)
            return (not enough, headline, opened, room if enough else -room, cell)

        return min(candidates, key=cost)

    def close_equations(self):
        changed = False
        for index, equation in enumerate(self.equations):
            if not self.hidden_in[index]:
                continue
            # One complement per equation and pass: the cell just hidden may be held by its
            # other equations (a province's total by its own parts, shown), and closing those
            # first, in the next pass, gives it room; hiding on here would take every
            # province's cell and then the national one.
            for cell in equation:
                if cell in self.hidden and not self.protected(index, cell):
                    extra = self.complement(index, self.hidden[cell])
                    if extra is not None:  # else nothing is left to hide: the audit says so
                        self.hide(extra, self.hidden[cell])
                        changed = True
                    break
        return changed

    def close_bounds(self):
        changed = False
        for scope in self.table:
            for part, whole in scope_bounds(self.year):
                part_cell, whole_cell = (scope, part), (scope, whole)
                gap = self.value(whole_cell) - self.value(part_cell)
                for inner, outer in ((part_cell, whole_cell), (whole_cell, part_cell)):
                    shown = outer not in self.hidden and not self.blank(outer)
                    if inner in self.hidden and shown and gap < self.hidden[inner]:
                        self.hide(outer, self.hidden[inner])
                        changed = True
            for count, sums in count_links(self.year).items():
                cell = (scope, count)
                if cell not in self.hidden or self.value(cell) - 1 >= self.hidden[cell]:
                    continue
                for code in sums:
                    linked = (scope, code)
                    if linked not in self.hidden and self.value(linked) > 0:
                        self.hide(linked, PROTECTION * self.value(linked))
                        changed = True
        return changed


def suppress(table, year=None):
    """{scope: frozenset of hidden codes} for a public table {scope: {code: Figure}} of
    survey `year` whose scopes are NATIONAL and province codes."""
    work = _Table(table, year)
    definitions = metrics.metrics()
    for scope, figures in table.items():
        for code, figure in figures.items():
            if is_sensitive(definitions[code], figure):
                work.hide((scope, code), PROTECTION * figure.value)
    while work.close_equations() | work.close_bounds():
        pass
    hidden = {scope: set() for scope in table}
    for scope, code in work.hidden:
        hidden[scope].add(code)
    return {scope: frozenset(codes) for scope, codes in hidden.items()}


def public_table(year):
    """The published figures of `year`: {NATIONAL or province code: {code: Figure}}."""
    return public(year)[0]


def public(year, *, fresh=False):
    """(the public table of `year`, {scope: codes hidden}), computed together and cached as
    one entry: what is shown and what is blanked always come from the same data, even while
    `SURVEY_FIGURES_MAX_AGE` serves a previous entry (never with `fresh`)."""

    def compute():
        table = {
            NATIONAL: metrics.figures(year=year, published=True),
            **metrics.figures_by_province(year=year, published=True),
        }
        return table, suppress(table, year)

    return versions.cached(
        "public-table", year, years=(year,), compute=compute, published=True, fresh=fresh
    )


# A page needs one scope of the public table, or only what it hides: each is an entry of its
# own, read without the whole table (thousands of figures to unpickle on every view), computed
# from a fresh public table so that no entry outlives the data it came from.


def hidden_cells(year):
    """{NATIONAL or province code: codes hidden from the public} for `year`."""
    return versions.cached(
        "public-hidden",
        year,
        years=(year,),
        published=True,
        compute=lambda: public(year, fresh=True)[1],
    )


def hidden_in(year, province_code):
    if year is None:
        return frozenset()
    return hidden_cells(year).get(province_code or NATIONAL, frozenset())


@cache
def _no_reports(year):
    """The figures of a scope without published reports in `year`."""
    return {
        code: Figure(None, 0, 0 if metric.is_sum else None, None, asked=metric.asked_in(year))
        for code, metric in metrics.metrics().items()
    }


def _public_scope(year, province_code):
    """(figures, hidden codes) of one scope of `year`'s public table, from one entry."""
    if year is None:
        return {}, frozenset()
    scope = province_code or NATIONAL

    def compute():
        table, hidden = public(year, fresh=True)
        return table.get(scope, _no_reports(year)), hidden.get(scope, frozenset())

    return versions.cached(
        "public-scope", year, scope, years=(year,), published=True, compute=compute
    )


# --- What one viewer sees ------------------------------------------------------------------


@dataclass(frozen=True)
class Disclosure:
    """What a viewer sees of one scope, a year and its baseline.

    `entitled`: figures of every report, nothing blanked; `marked` (the year) and
    `marked_baseline` name the codes the public does not see, `marked_growth` those whose
    like-for-like growth (over the items both cycles asked) it does not see, and the public
    sees no matched-panel growth. Otherwise the public table's figures (`figures`,
    `baseline_figures`, read with `hidden` and `hidden_baseline` from one cache entry per
    year), those blanked.
    """

    entitled: bool
    hidden: frozenset = frozenset()
    hidden_baseline: frozenset = frozenset()
    marked: frozenset = frozenset()
    marked_baseline: frozenset = frozenset()
    marked_growth: frozenset = frozenset()
    figures: dict | None = field(default=None, compare=False, repr=False)
    baseline_figures: dict | None = field(default=None, compare=False, repr=False)

    @property
    def published_only(self):
        return not self.entitled

    @property
    def key(self):
        """Names what is blanked and marked, for caches of what is built from it."""
        parts = (
            self.hidden,
            self.hidden_baseline,
            self.marked,
            self.marked_baseline,
            self.marked_growth,
        )
        text = repr((self.entitled, *(sorted(part) for part in parts)))
        return hashlib.sha256(text.encode()).hexdigest()[:16]


FULL_ACCESS = Disclosure(entitled=True)


def disclosure_for(user, province_code, year, baseline=None):
    """The `Disclosure` of scope `province_code` (None for the nation) for `user`."""
    if is_entitled(user, province_code):
        marked = hidden_in(year, province_code)
        marked_baseline = hidden_in(baseline, province_code)
        return Disclosure(
            entitled=True,
            marked=marked,
            marked_baseline=marked_baseline,
            marked_growth=_shared_growth_hidden(year, baseline, marked, marked_baseline),
        )
    figures, hidden = _public_scope(year, province_code)
    baseline_figures, hidden_baseline = _public_scope(baseline, province_code)
    return Disclosure(
        entitled=False,
        hidden=hidden,
        hidden_baseline=hidden_baseline,
        figures=figures,
        baseline_figures=baseline_figures if baseline else None,
    )


# --- Comparing cycles that asked different items --------------------------------------------


def _shared_follows(code, items, hidden):
    """Whether `code` over `items` (those both cycles asked) follows from a year's figures
    shown, `hidden` blanked: a group total does when every one of `items` is shown, or the
    total and every other part; a count of institutions never does (it is no sum of cells)."""
    parts = metrics.metrics()[code].parts
    if not parts:
        return False
    others = [part for part in parts if part not in items]
    return hidden.isdisjoint(items) or (code not in hidden and hidden.isdisjoint(others))


def _shared_growth_hidden(year, baseline, hidden, hidden_baseline):
    """The codes whose like-for-like growth between `year` and `baseline` the public does
    not see."""
    if baseline is None:
        return frozenset()
    return frozenset(
        code
        for code, items in metrics.differing_metrics(year, baseline).items()
        if not (
            _shared_follows(code, items, hidden) and _shared_follows(code, items, hidden_baseline)
        )
    )


def _public_shared(year, baseline, current, before):
    """{code: Shared} of the public table's figures `current` (of `year`) and `before` (of
    `baseline`): group totals summed over the parts both cycles asked; counts of
    institutions over them have no public figure."""
    result = {}
    for code, items in metrics.differing_metrics(year, baseline).items():
        if metrics.metrics()[code].parts:
            value, then = (_reported_sum(figures, items) for figures in (current, before))
        else:
            value = then = None
        result[code] = Shared(value, then, items)
    return result


def _reported_sum(figures, codes):
    """The sum of `codes` in `figures` that were reported (None when none was), as a group
    total is."""
    reported = [figures[code].value for code in codes if figures[code].value is not None]
    return sum(reported) if reported else None


def compare(*, year, baseline=None, province=None, disclosure=FULL_ACCESS, panel=False):
    """metrics.compare as `disclosure`'s viewer sees it, before `apply` blanks cells: every
    report where entitled; else the public table (the figures its pattern was computed
    from) and no matched panel at all, whose growth would give away the hospitals that
    joined or left (the difference between the full and the panel figures). Where the
    cycles asked different items behind a metric, the public's growth is over the items
    both asked too (`Comparison.shared`), none for a count of institutions."""
    if disclosure.entitled:
        return metrics.compare(year=year, baseline=baseline, province=province, panel=panel)
    current, before = disclosure.figures, disclosure.baseline_figures or {}
    if current is None:  # a Disclosure built by hand
        current, _hidden = _public_scope(year, province)
        before = _public_scope(baseline, province)[0] if baseline else {}
    shared = _public_shared(year, baseline, current, before) if before and not panel else {}
    result = {}
    for code, figure in current.items():
        then = before.get(code)
        like_for_like = shared.get(code)
        value = None if panel else figure.value
        if like_for_like is not None:
            growth = metrics.growth_pct(like_for_like.value, like_for_like.baseline)
        else:
            growth = None if panel or then is None else metrics.growth_pct(value, then.value)
        result[code] = Comparison(
            value=value,
            baseline=None if panel or then is None else then.value,
            growth_pct=growth,
            n_reporting=None if panel else figure.n_reporting,
            baseline_n_reporting=None if panel or then is None else then.n_reporting,
            asked=figure.asked,
            baseline_asked=then.asked if then else True,
            shared=like_for_like,
        )
    return result


def _reporting_hidden(hidden):
    """Codes whose number of reporting institutions would give away a hidden figure."""
    if "institutions" in hidden:
        return frozenset(metrics.metrics())
    families = choice_families()
    return frozenset(code for code, family in families.items() if family & hidden)


def _shared_shown(code, shared, hidden, hidden_baseline):
    """`shared` (a metrics.Shared) with what does not follow from the figures shown blanked."""
    value_follows = _shared_follows(code, shared.items, hidden)
    baseline_follows = _shared_follows(code, shared.items, hidden_baseline)
    return replace(
        shared,
        value=shared.value if value_follows else None,
        baseline=shared.baseline if baseline_follows else None,
    )


def apply(comparison, disclosure, panel=False):
    """{code: Comparison} as `disclosure` lets its viewer see it (`panel`: matched panel)."""
    if disclosure.entitled:
        return comparison
    hidden, before = disclosure.hidden, disclosure.hidden_baseline
    no_reporting, no_reporting_before = _reporting_hidden(hidden), _reporting_hidden(before)
    result = {}
    for code, figure in comparison.items():
        value_hidden = panel or code in hidden
        baseline_hidden = panel or code in before
        shared, growth = figure.shared, figure.growth_pct
        if panel:
            shared = None
        elif shared is not None:
            # Growth is over the items both cycles asked: shown when both of those are.
            shared = _shared_shown(code, shared, hidden, before)
            growth = metrics.growth_pct(shared.value, shared.baseline)
        elif value_hidden or baseline_hidden:
            growth = None
        result[code] = replace(
            figure,
            value=None if value_hidden else figure.value,
            baseline=None if baseline_hidden else figure.baseline,
            growth_pct=growth,
            n_reporting=(
                None if panel or code in hidden or code in no_reporting else figure.n_reporting
            ),
            baseline_n_reporting=(
                None
                if panel or code in before or code in no_reporting_before
                else figure.baseline_n_reporting
            ),
            shared=shared,
        )
    return result


def province_values(user, *, year):
    """{province code: {code: value}} of every province as `user` may see it, for ranks and
    the comparison of provinces: the full figures where entitled, else the public ones."""
    full = metrics.figures_by_province(year=year)
    table, hidden = public(year)
    shown = {scope: figures for scope, figures in table.items() if scope != NATIONAL}
    result = {}
    for province in sorted(full.keys() | shown.keys()):
        if is_entitled(user, province):
            figures = full.get(province, {})
            result[province] = {code: figure.value for code, figure in figures.items()}
        elif province in shown:
            blanked = hidden.get(province, frozenset())
            result[province] = {
                code: None if code in blanked else figure.value
                for code, figure in shown[province].items()
            }
    return result


def years_for(user, province_code):
    """The survey years `user` may pick for a scope, latest first: those with reports when
    entitled, else those with published reports."""
    return years_and_default(user, province_code)[0]


def years_and_default(user, province_code):
    """(`years_for`, the year shown when none is asked for). Entitled: the latest. The
    public: the latest year whose cycle is closed or whose published reports are at least
    `SURVEY_PUBLIC_MIN_SHARE` (half) of the previous such year's, so that a cycle just opened,
    with a few reports submitted, is never the default (the first year is always one)."""
    if is_entitled(user, province_code):
        # EXISTS rather than a join: one index probe per cycle, however many reports.
        years = list(
            Cycle.objects.filter(Exists(Report.objects.filter(cycle=OuterRef("pk"))))
            .values_list("year", flat=True)
            .order_by("-year")
        )
        return years, years[0] if years else None
    rows = list(
        Cycle.objects.annotate(n=Count("reports", filter=Q(reports__status__in=PUBLISHED_STATUSES)))
        .filter(n__gt=0)
        .values_list("year", "is_open", "n")
        .order_by("year")
    )
    default, previous = None, 0
    for year, is_open, n in rows:
        if not is_open or n >= settings.SURVEY_PUBLIC_MIN_SHARE * previous:
            default, previous = year, n
    return [year for year, _open, _n in reversed(rows)], default
