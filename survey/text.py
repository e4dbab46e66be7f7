"""What counts as acceptable text, once, for forms, imports and exports.

Text is kept exactly as typed, except that line breaks of any system become one "\n". It may
not hold characters that no one types on purpose and that break the files we write: control
characters other than line break and tab (Word's vertical tab \x0b, the escape \x1b; XML 1.0,
hence XLSX, cannot hold them at all), lone surrogates (not encodable as UTF-8), Unicode
noncharacters (U+FFFE, U+FFFF, U+FDD0-U+FDEF, ...), and the invisible characters that change
how a text is shown or compared without being seen: the zero-width space U+200B, word joiner
U+2060 and byte-order mark U+FEFF inside a text, the direction marks U+200E/U+200F and the
bidirectional embeddings, overrides and isolates U+202A-U+202E, U+2066-U+2069 ("Alpha" could
show as another name). The zero-width (non-)joiners U+200C/U+200D stay: emoji and some scripts
need them.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

# C0 and C1 controls except tab and line feed (carriage returns are normalised first),
# DEL, surrogates, the invisible characters named above, and the noncharacters: U+FDD0-U+FDEF
# and the last two of every plane.
FORBIDDEN = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef"
    "\u200b\u200e\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff"
    + "".join(f"{chr(plane << 16 | 0xFFFE)}{chr(plane << 16 | 0xFFFF)}" for plane in range(17))
    + "]"
)
REPLACEMENT = "\ufffd"


def normalise_newlines(text):
    """Line breaks as one "\n", whether the text came from Windows, an old Mac or a browser."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def forbidden_characters(text):
    """The characters of `text` that acceptable text may not hold, as shown to a user."""
    found = dict.fromkeys(FORBIDDEN.findall(normalise_newlines(text)))
    return ", ".join(f"U+{ord(char):04X}" for char in found)


def is_acceptable(text):
    return FORBIDDEN.search(normalise_newlines(text)) is None


def clean_text(text):
    """`text` with its line breaks normalised; raises `ValidationError` if it is not acceptable."""
    text = normalise_newlines(text)
    validate_text(text)
    return text


def printable(text):
    """`text` with every forbidden character replaced by U+FFFD, and how many were replaced.

    For exports of text stored before the rule existed: the file must still be written.
    """
    return FORBIDDEN.subn(REPLACEMENT, normalise_newlines(text))


@deconstructible
class TextValidator:
    """The model and form validator of acceptable text."""

    message = _(
        "The text contains control or invisible characters (%(characters)s), often pasted "
        "from Word or a terminal; remove them."
    )
    code = "forbidden_characters"

    def __call__(self, value):
        if isinstance(value, str) and not is_acceptable(value):
            raise ValidationError(
                self.message,
                code=self.code,
                params={"characters": forbidden_characters(value)},
            )

    def __eq__(self, other):
        return isinstance(other, TextValidator)


validate_text = TextValidator()
