"""Small-number suppression: a provincial figure built from fewer than three institutions could
reveal one hospital's values, so it is shown only to those who may see the institutions
themselves (analysts, admins, the province's coordinator). The `survey_aggregates` command runs
with server access and is never suppressed.
"""

from dataclasses import replace

from accounts.roles import scope_of

MIN_INSTITUTIONS = 3


def must_suppress(user, province_code):
    """Whether `user` is shown a province's figures with the small ones suppressed."""
    if province_code is None:
        return False
    scope = scope_of(user)
    return not (scope.everything or scope.province_id == province_code)


def is_small(n_reporting):
    return n_reporting is not None and n_reporting < MIN_INSTITUTIONS


def suppressed(comparison):
    """{code: Comparison} with every figure of fewer than three institutions blanked."""
    result = {}
    for code, figure in comparison.items():
        if is_small(figure.n_reporting):
            figure = replace(figure, value=None, growth_pct=None)
        if is_small(figure.baseline_n_reporting):
            figure = replace(figure, baseline=None, growth_pct=None)
        result[code] = figure
    return result
