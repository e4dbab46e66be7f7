"""Comparing the ways people write a header or a listed value: `PET/CT（台）` is `PET/CT (台)`.

Files written by hand or by other systems spell the dictionary's labels with full-width or
half-width forms, spaces, 【】 or （） brackets and varying punctuation; `spelling_key` reduces
a text to what is left when those differences are removed.
"""

import re
import unicodedata

# After NFKC (which makes （）：， half-width): every bracket reads as a round one.
BRACKETS = str.maketrans({"[": "(", "]": ")", "【": "(", "】": ")", "〔": "(", "〕": ")"})
# Punctuation that separates words in one spelling and not in another: dropped.
SEPARATORS = re.compile(r"[\s:;,、·・\-_/|—–.。]+")
TRAILING_BRACKET = re.compile(r"\([^()]*\)$")


def spelling_key(text):
    """`text` as compared: NFKC, case-folded, brackets unified, spaces and separators dropped."""
    text = unicodedata.normalize("NFKC", str(text)).casefold().translate(BRACKETS)
    return SEPARATORS.sub("", text)


def without_trailing_bracket(key):
    """A `spelling_key` without its last bracketed part (a unit: `(台)`), or "" if it has none."""
    stripped = TRAILING_BRACKET.sub("", key)
    return stripped if stripped != key else ""


def without_brackets(key):
    return key.replace("(", "").replace(")", "")


class SpellingIndex:
    """Which values a text may mean: by its key, by its key without brackets (`第三类（甲）` is
    `第三类甲`), by a spelling's key without its trailing bracketed part (`PET/CT` for
    `PET/CT（台）`), or by the text's own key without it."""

    def __init__(self, spellings):
        self.exact, self.short = {}, {}
        for spelling, value in spellings:
            key = spelling_key(spelling)
            if not key:
                continue
            self.exact.setdefault(key, set()).add(value)
            self.exact.setdefault(without_brackets(key), set()).add(value)
            if short := without_trailing_bracket(key):
                self.short.setdefault(short, set()).add(value)

    def values(self, text):
        """The values `text` may mean: one, several (ambiguous) or none."""
        key = spelling_key(text)
        for candidate in filter(None, (key, without_brackets(key))):
            if candidate in self.exact:
                return self.exact[candidate]
            if candidate in self.short:
                return self.short[candidate]
        if short := without_trailing_bracket(key):
            return self.values(short)
        return set()
