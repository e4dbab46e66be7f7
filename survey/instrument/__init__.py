"""The survey instrument, as the data dictionary's latest edition
(`fixtures/survey/data-dictionary-2028.csv`) states it: every item of every cycle, each asked
from and until a survey year (an item outside its years is *not asked* in that cycle).

- `fields`: the kinds of item as model fields (count with its bound and unit, flag, text; the
  years an item is asked);
- `sections`: one abstract model per section, combined into `survey.models.Report` (the
  equipment section's lives in `equipment.models`, the institution's profile in
  `departments.models`);
- `items`: the sections in order, every item by code and the years asking it, group totals
  and their labels, `of which` items and therapy groups;
- `rules`: the cross-item rules and every data-quality warning.

This module imports nothing, so that the models can use `fields` and `sections` without
loading the rest.
"""
