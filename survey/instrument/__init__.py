"""The survey instrument, as the data dictionary (`fixtures/survey/data-dictionary.csv`) states it.

- `fields`: the kinds of item as model fields (count with its bound and unit, flag, text);
- `sections`: one abstract model per section, combined into `survey.models.Report` (the
  equipment section's lives in `equipment.models`, the institution's profile in
  `departments.models`);
- `items`: the sections in order, every item by code, group totals and their labels;
- `rules`: the cross-item rules and every data-quality warning.

This module imports nothing, so that the models can use `fields` and `sections` without
loading the rest.
"""
