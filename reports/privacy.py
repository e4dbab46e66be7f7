"""Small-number suppression: a provincial figure built from fewer than three institutions could
reveal one hospital's values, so it is shown only to those who may see the institutions
themselves (analysts, admins, the province's coordinator). The `survey_aggregates` command runs
with server access and is never suppressed.

Blanking the small figures alone is not enough: a hidden part is the group total minus the
parts shown, and a province hidden alone is the national figure minus the other provinces.
So a small figure hides its whole block (the group and the groups equal to it by the
dictionary's rules), and every figure hidden anywhere is hidden in at least two provinces.
"""

from dataclasses import replace
from functools import cache

from accounts.roles import scope_of
from reports import metrics
from survey import versions
from survey.instrument import GROUPS

MIN_INSTITUTIONS = 3

# Group totals the dictionary's rules make equal: staff counted three ways; imaging units by
# type and by owning department.
EQUAL_TOTALS = (
    ("staff_total", "title_total", "degree_total"),
    ("eq_owner_total", "eq_positron_total", "eq_single_photon_total"),
)


def is_small(n_reporting):
    """Reported by one or two institutions (by none, the figure is blank anyway)."""
    return n_reporting is not None and 0 < n_reporting < MIN_INSTITUTIONS


def viewer_province(user, province_code):
    """None when `user` sees every figure of `province_code`; else the province `user` may
    see whole ("" for none), from which the hidden figures are worked out."""
    if province_code is None:
        return None
    scope = scope_of(user)
    if scope.everything or scope.province_id == province_code:
        return None
    return scope.province_id or ""


@cache
def blocks():
    """Each metric's block: the metrics hidden with it (itself when it is in no group)."""
    linked = [set(totals) for totals in EQUAL_TOTALS]
    block_of = {}
    for total, parts in GROUPS.items():
        members = {total, *parts}
        for equal in linked:
            if total in equal:
                members |= equal | {part for linked in equal for part in GROUPS[linked]}
        for code in members:
            block_of.setdefault(code, set()).update(members)
    return {code: frozenset(block_of.get(code, {code})) for code in metrics.metrics()}


def hidden_by_province(*, year, seen_whole):
    """{province code: codes hidden from a viewer who sees province `seen_whole` whole}."""
    return versions.cached(
        "hidden-figures",
        year,
        seen_whole,
        years=(year,),
        compute=lambda: _hidden_by_province(year, seen_whole),
    )


def _hidden_by_province(year, seen_whole):
    by_province = metrics.figures_by_province(year=year)
    block = blocks()
    hidden = {code: set() for code in by_province if code != seen_whole}
    for province, codes in hidden.items():
        for code, figure in by_province[province].items():
            if is_small(figure.n_reporting):
                codes |= block[code]
    # Hidden alone, a province's figure is the nation's minus the others': hide a partner too.
    changed = True
    while changed:
        changed = False
        for code in block:
            holders = [p for p, codes in hidden.items() if code in codes]
            others = [p for p, codes in hidden.items() if code not in codes]
            if len(holders) == 1 and others:
                partner = min(others, key=lambda p: (by_province[p][code].n_reporting, p))
                hidden[partner] |= block[code]
                changed = True
    return hidden


def hidden_for(user, province_code, *years):
    """The metric codes of `province_code` hidden from `user` in any of `years`."""
    seen_whole = viewer_province(user, province_code)
    if seen_whole is None:
        return frozenset()
    codes = set()
    for year in years:
        if year is not None:
            codes |= hidden_by_province(year=year, seen_whole=seen_whole).get(province_code, set())
    return frozenset(codes)


def suppressed(comparison, hidden):
    """{code: Comparison} with the `hidden` figures blanked, how many reported them too."""
    return {
        code: replace(
            figure,
            value=None,
            baseline=None,
            growth_pct=None,
            n_reporting=None,
            baseline_n_reporting=None,
        )
        if code in hidden
        else figure
        for code, figure in comparison.items()
    }
