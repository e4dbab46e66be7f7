"""One definition of acceptable text (survey.text), for forms, the admin, imports and exports."""

import pytest
from django.core.exceptions import ValidationError

from departments.models import Institution
from interchange.parsing import InvalidValue, parse_text
from survey.instrument import items as instrument
from survey.text import clean_text, is_acceptable, printable, validate_text

pytestmark = pytest.mark.usefixtures("english")

REFUSED = {
    "vertical tab pasted from Word": "第一段\x0b第二段",
    "terminal escape": "red\x1b[31m",
    "NUL": "a\x00b",
    "DEL": "a\x7fb",
    "C1 next line": "a\x85b",
    "lone surrogate": "a\ud800b",
    "noncharacter U+FFFE": "a\ufffeb",
    "noncharacter U+FDD0": "a\ufdd0b",
    "noncharacter of plane 16": "a\U0010ffffb",
}
ACCEPTED = {
    "Chinese with punctuation": "核医学科（PET/CT 中心）",
    "line break and tab": "第一行\n\t第二行",
    "emoji and combining marks": "é 👍",
    "replacement mark": "a\ufffdb",
    "Windows line breaks": "a\r\nb\rc",
}


@pytest.mark.parametrize("text", REFUSED.values(), ids=REFUSED.keys())
def test_text_no_one_types_on_purpose_is_refused_everywhere(text):
    assert not is_acceptable(text)
    with pytest.raises(ValidationError):
        validate_text(text)
    with pytest.raises(InvalidValue, match="control or invisible characters"):
        parse_text(text)
    replaced, count = printable(text)
    assert is_acceptable(replaced) and count == 1


@pytest.mark.parametrize("text", ACCEPTED.values(), ids=ACCEPTED.keys())
def test_ordinary_text_is_kept_with_one_kind_of_line_break(text):
    assert is_acceptable(text)
    assert clean_text(text) == parse_text(text) == text.replace("\r\n", "\n").replace("\r", "\n")
    assert printable(text) == (clean_text(text), 0)


def test_the_message_names_the_characters():
    with pytest.raises(ValidationError) as refused:
        validate_text("a\x0bb\x1b")
    assert "U+000B, U+001B" in refused.value.messages[0]


def test_every_free_text_item_and_institution_name_carries_the_validator():
    text_items = [item for item in instrument.items() if item.kind == instrument.TEXT]
    assert text_items
    for item in text_items:
        if item.field.model is not Institution and not item.field.choices:
            assert validate_text in item.field.validators, item.code
    for name in ("name_en", "name_zh"):
        assert validate_text in Institution._meta.get_field(name).validators


@pytest.mark.django_db
def test_the_admin_and_any_model_form_refuse_it(make_report):
    report = make_report(op_suggestions="见\x0b附件")
    with pytest.raises(ValidationError) as refused:
        report.full_clean()
    assert "op_suggestions" in refused.value.message_dict
    institution = report.institution
    institution.name_zh = "医院\x1b"
    with pytest.raises(ValidationError) as refused:
        institution.full_clean()
    assert "name_zh" in refused.value.message_dict
