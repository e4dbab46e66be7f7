"""Turning the text of an interchange file's cells into item values, or saying what is wrong.

The spellings accepted are those of the interchange format (shared/survey/README.md): flags
as 1/0, yes/no, true/false, y/n, 是/否; provinces by code or name; a listed value by its code
or its label in either language (`interchange.spelling`: `第三类（甲）`, `Top-tier tertiary`).
"""

import re
import unicodedata

from django.core.validators import MaxValueValidator
from django.utils import translation
from django.utils.translation import gettext as _

from departments.models import Institution, Ownership, Province
from interchange.files import UnreadableCell
from interchange.spelling import SpellingIndex
from survey.instrument import items as instrument
from survey.text import forbidden_characters, is_acceptable, normalise_newlines

YES = frozenset({"1", "yes", "true", "y", "是"})
NO = frozenset({"0", "no", "false", "n", "否"})
OWNERSHIP_ZH = {"公立": Ownership.PUBLIC, "非公立": Ownership.NONPUBLIC}
LABEL_LANGUAGES = ("zh-hans", "en")
# Thousands separators as Excel writes them, and a whole number written with decimals ("12.0").
WHOLE_NUMBER = re.compile(r"\+?([0-9]{1,15})(?:\.0*)?")
NEGATIVE_NUMBER = re.compile(r"-\s*[0-9]+(?:\.[0-9]*)?")
DECIMAL_NUMBER = re.compile(r"\+?[0-9]+\.[0-9]+")
# A comma separates thousands only between groups of three digits: "1,234" is 1234, while
# "1,5" (a decimal comma), "12,34" or "1,,0" are not whole numbers at all.
THOUSANDS = re.compile(r"[+-]?[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]*)?")
# Chinese input methods type full-width digits and signs: read as their ASCII selves. Other
# digits (Arabic-Indic ٣, superscript ³, circled ③) are not what a count column means: refused.
FULL_WIDTH = {
    **{0xFF10 + digit: str(digit) for digit in range(10)},
    ord("，"): ",",
    ord("．"): ".",
    ord("＋"): "+",
    ord("－"): "-",
}
# What a spreadsheet would run as a formula; exports prefix such text with an apostrophe.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
YEAR_COLUMN = "year"


class InvalidValue(ValueError):
    """A cell whose text is not a value of its item; the message is for a data clerk."""


class ValueParser:
    """Parses cells item by item; built once per file (it holds the province spellings)."""

    def __init__(self):
        self.provinces = {
            spelling: province.code
            for province in Province.objects.all()
            for spelling in province.spellings()
        }
        self.items = instrument.items_by_code()
        self.choice_labels = {}  # item code -> `SpellingIndex` of its values' labels

    def parse(self, code, text):
        """The value of item `code` written as `text`; None when blank (not reported)."""
        if isinstance(text, UnreadableCell):
            raise InvalidValue(text.problem)
        text = text.strip()
        if not text:
            return None
        item = self.items[code]
        if code == "province":
            return self._province(text)
        if item.kind == instrument.COUNT:
            return parse_count(text, _maximum(item.field))
        if item.kind == instrument.FLAG:
            return parse_flag(text)
        if item.kind == instrument.CHOICE:
            return self._choice(item, text)
        return parse_text(text, item.field.max_length, code == "inst_code")

    def _province(self, text):
        code = self.provinces.get(text.casefold())
        if code is None:
            raise InvalidValue(
                _(
                    "“%s” is not a province: write its two-digit code (51), or its name (四川, Sichuan)."
                )
                % text
            )
        return code

    def _choice(self, item, text):
        if item.code == "ownership" and text in OWNERSHIP_ZH:
            return OWNERSHIP_ZH[text].value
        values = [value for value, _label in item.field.choices]
        for value in values:
            if value.casefold() == text.casefold():
                return value
        meant = self._choice_labels(item).values(text)
        if len(meant) == 1:
            return next(iter(meant))
        raise InvalidValue(
            _("“%(text)s” is not one of the listed values: %(values)s.")
            % {"text": text, "values": ", ".join(values)}
        )

    def _choice_labels(self, item):
        if item.code not in self.choice_labels:
            spellings = []
            for language in LABEL_LANGUAGES:
                with translation.override(language):
                    spellings += [(str(label), value) for value, label in item.field.choices]
            self.choice_labels[item.code] = SpellingIndex(spellings)
        return self.choice_labels[item.code]


def parse_count(text, maximum=None):
    number_text = text.translate(FULL_WIDTH)
    if "," in number_text and number_text.isascii():
        if not THOUSANDS.fullmatch(number_text):
            raise InvalidValue(
                _(
                    "“%s”: a comma may only separate thousands (1,234); a decimal comma or a "
                    "misplaced comma is not a whole number."
                )
                % text
            )
        number_text = number_text.replace(",", "")
    if not number_text.isascii():
        if any(char.isdigit() or unicodedata.category(char) == "No" for char in number_text):
            raise InvalidValue(
                _("“%s” is written with digits other than 0-9: type the number with 0-9.") % text
            )
        raise InvalidValue(_("“%s” is not a whole number.") % text)
    if NEGATIVE_NUMBER.fullmatch(number_text):
        raise InvalidValue(_("“%s”: a count cannot be negative.") % text)
    if DECIMAL_NUMBER.fullmatch(number_text) and not WHOLE_NUMBER.fullmatch(number_text):
        raise InvalidValue(_("“%s”: a count must be a whole number, without a fraction.") % text)
    match = WHOLE_NUMBER.fullmatch(number_text)
    if not match:
        if re.fullmatch(r"\+?[0-9]+", number_text):
            raise InvalidValue(_("“%s” is far too large for this item.") % text)
        raise InvalidValue(_("“%s” is not a whole number.") % text)
    value = int(match.group(1))
    if maximum is not None and value > maximum:
        raise InvalidValue(
            _("%(value)s is too large for this item (at most %(maximum)s): a typing error?")
            % {"value": f"{value:,}", "maximum": f"{maximum:,}"}
        )
    return value


def parse_flag(text):
    folded = text.casefold()
    if folded in YES:
        return True
    if folded in NO:
        return False
    raise InvalidValue(
        _("“%s” is not a yes/no value: write 1 or 0 (also yes/no, true/false, y/n, 是/否).") % text
    )


def parse_text(text, max_length=None, is_code=False):
    text = normalise_newlines(unformula(text))
    if not is_acceptable(text):
        raise InvalidValue(
            _(
                "The text contains control or invisible characters (%s), often pasted from Word "
                "or a terminal; remove them."
            )
            % forbidden_characters(text)
        )
    if max_length is not None and len(text) > max_length:
        raise InvalidValue(
            _("The text is %(length)s characters long; at most %(max)s are allowed.")
            % {"length": len(text), "max": max_length}
        )
    if is_code:
        _validate_code(text)
    return text


def _validate_code(text):
    for validator in Institution._meta.get_field("code").validators:
        try:
            validator(text)
        except Exception:
            raise InvalidValue(
                _("“%s” is not a valid institution code: use 1 to 32 letters A-Z, digits, - or _.")
                % text
            ) from None


def unformula(text):
    """Undo the apostrophe an export puts before text a spreadsheet would run as a formula."""
    return text[1:] if _starts_escaped(text) else text


def neutralise_formula(text):
    """Text that a spreadsheet will show as text: the inverse of `unformula`."""
    if text[:1] in FORMULA_STARTS or _starts_escaped(text):
        return "'" + text
    return text


def _starts_escaped(text):
    return text[:1] == "'" and text[1:2] != "" and text[1] in (*FORMULA_STARTS, "'")


def _maximum(field):
    for validator in field.validators:
        if isinstance(validator, MaxValueValidator):
            return validator.limit_value
    return None


def parse_year(text):
    text = text.strip()
    try:
        year = parse_count(text)
    except InvalidValue:
        year = None
    if year is None or not 1980 <= year <= 2100:
        raise InvalidValue(_("“%s” is not a survey year.") % text)
    return year
