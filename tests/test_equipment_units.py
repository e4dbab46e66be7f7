"""Listing equipment units never changes a count behind the filer's back: the units decide only
the counts of imaging units, cyclotrons and owning departments; a save that would change a
saved count the page did not show changing asks first; every unit change is audited."""

import pytest
from django.urls import reverse

from equipment.models import EquipmentUnit
from equipment.services import counts_from_units, fingerprint
from survey.instrument import items as instrument
from survey.models import Report, ValueChange

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def in_english(client):
    client.cookies["django_language"] = "en"


def equipment_url(report):
    return reverse("survey:section", args=[report.cycle_id, report.institution.code, "equipment"])


def equipment_post(report, units, *, counts_shown=None, **overrides):
    """What the browser posts: every count as saved (or overridden) and the unit rows."""
    report.refresh_from_db()
    values = report.item_values()
    data = {"version": report.version}
    for item in instrument.section_items("equipment"):
        value = overrides.get(item.code, values[item.code])
        data[item.code] = "" if value is None else str(value)
    listed = list(report.equipment_units.order_by("pk"))
    data |= {
        "units-TOTAL_FORMS": str(len(units)),
        "units-INITIAL_FORMS": str(len(listed)),
        "units-MIN_NUM_FORMS": "0",
        "units-MAX_NUM_FORMS": "1000",
    }
    for index, unit in enumerate(units):
        data |= {f"units-{index}-{name}": str(value) for name, value in unit.items()}
    if counts_shown is not None:
        data["counts_shown"] = counts_shown
    return data


def shown_counts(*units):
    """The fingerprint the page's script writes for these (type, owner) units."""
    return fingerprint(
        counts_from_units([EquipmentUnit(unit_type=t, owner_department=o) for t, o in units])
    )


@pytest.fixture
def counted(make_report):
    """A report that gives its equipment as counts only, with a thyroid analyzer."""
    return make_report(eq_spect_ct=1, eq_spect=1, eq_thyroid_analyzer=1, eq_owner_nm=2)


def test_listing_the_units_keeps_every_count_no_unit_decides(client, make_user, counted):
    reporter = make_user("reporter", institution=counted.institution)
    client.force_login(reporter)
    units = [
        {"unit_type": "eq_spect_ct", "owner_department": "nm", "manufacturer": "GE"},
        {"unit_type": "eq_spect", "owner_department": "nm", "model_name": "Infinia"},
    ]
    page = client.post(equipment_url(counted), equipment_post(counted, units))
    assert page.status_code == 302
    counted.refresh_from_db()
    assert counted.equipment_units.count() == 2
    assert (counted.eq_thyroid_analyzer, counted.eq_spect_ct, counted.eq_spect) == (1, 1, 1)
    assert counted.eq_owner_nm == 2
    # No count given changed: the audit trail has the two units, and the counts not reported
    # that the list now gives as 0.
    changes = ValueChange.objects.filter(report=counted)
    units = [c for c in changes if c.item.startswith("unit:")]
    assert {c.new_value["type"] for c in units} == {"eq_spect_ct", "eq_spect"}
    counts = [c for c in changes if not c.item.startswith("unit:")]
    assert counts and all((c.old_value, c.new_value) == (None, 0) for c in counts)
    assert "eq_thyroid_analyzer" not in {c.item for c in counts}


def test_a_save_that_would_change_a_count_unseen_asks_first_then_saves(client, make_user, counted):
    client.force_login(make_user("reporter", institution=counted.institution))
    Report.objects.filter(pk=counted.pk).update(eq_pet_ct=2, eq_owner_nm=4)
    units = [{"unit_type": "eq_spect_ct", "owner_department": "nm"}]
    version = Report.objects.get(pk=counted.pk).version

    asked = client.post(equipment_url(counted), equipment_post(counted, units))
    assert asked.status_code == 200
    assert asked.context["form"].count_changes == {
        "eq_pet_ct": ("2", "0"),
        "eq_spect": ("1", "0"),
        "eq_owner_nm": ("4", "1"),
    }
    assert not counted.equipment_units.exists()
    assert Report.objects.get(pk=counted.pk).version == version
    text = asked.content.decode()
    assert 'id="error-summary"' in text and "PET or PET/CT units: 2 → 0" in text

    # Saving again what the page now shows confirms; a thyroid analyzer is still not a unit.
    confirm = equipment_post(
        counted, units, counts_shown=asked.context["form"].data["counts_shown"]
    )
    assert client.post(equipment_url(counted), confirm).status_code == 302
    counted.refresh_from_db()
    assert (counted.eq_pet_ct, counted.eq_spect_ct, counted.eq_spect) == (0, 1, 0)
    assert (counted.eq_owner_nm, counted.eq_thyroid_analyzer) == (1, 1)


def test_the_counts_the_page_showed_changing_save_at_once(client, make_user, counted):
    client.force_login(make_user("reporter", institution=counted.institution))
    units = [
        {"unit_type": "eq_spect_ct", "owner_department": "nm"},
        {"unit_type": "eq_spect", "owner_department": "nm"},
        {"unit_type": "eq_pet_ct", "owner_department": "imaging"},
    ]
    shown = shown_counts(("eq_spect_ct", "nm"), ("eq_spect", "nm"), ("eq_pet_ct", "imaging"))
    page = client.post(equipment_url(counted), equipment_post(counted, units, counts_shown=shown))
    assert page.status_code == 302
    counted.refresh_from_db()
    assert (counted.eq_pet_ct, counted.eq_owner_imaging, counted.eq_thyroid_analyzer) == (1, 1, 1)


def test_a_page_that_showed_other_counts_is_asked_again(client, make_user, counted):
    client.force_login(make_user("reporter", institution=counted.institution))
    units = [{"unit_type": "eq_pet_ct", "owner_department": "nm"}]
    stale = shown_counts(("eq_spect_ct", "nm"))  # what the page showed is not what is saved
    page = client.post(equipment_url(counted), equipment_post(counted, units, counts_shown=stale))
    assert page.status_code == 200 and page.context["form"].count_changes
    assert Report.objects.get(pk=counted.pk).eq_pet_ct is None


def test_every_unit_change_is_audited_in_words(client, make_user, counted, coordinator_sichuan):
    client.force_login(make_user("reporter", institution=counted.institution))
    first = [
        {"unit_type": "eq_spect_ct", "owner_department": "nm", "manufacturer": "GE"},
        {"unit_type": "eq_spect", "owner_department": "nm", "manufacturer": "Siemens"},
    ]
    assert client.post(equipment_url(counted), equipment_post(counted, first)).status_code == 302
    spect_ct, spect = counted.equipment_units.order_by("pk")
    second = [
        {"id": spect_ct.pk, **first[0], "model_name": "Discovery NM/CT 670"},
        {"id": spect.pk, **first[1], "DELETE": "on"},
    ]
    shown = shown_counts(("eq_spect_ct", "nm"))
    page = client.post(equipment_url(counted), equipment_post(counted, second, counts_shown=shown))
    assert page.status_code == 302

    changes = {
        (c.item, c.old_value and c.old_value["model"], c.new_value and c.new_value["model"])
        for c in ValueChange.objects.filter(report=counted, item__startswith="unit:")
    }
    assert changes == {
        (f"unit:{spect_ct.pk}", None, ""),  # added
        (f"unit:{spect.pk}", None, ""),  # added
        (f"unit:{spect_ct.pk}", "", "Discovery NM/CT 670"),  # changed
        (f"unit:{spect.pk}", "", None),  # removed
    }
    client.force_login(coordinator_sichuan)
    history = client.get(
        reverse("survey:history", args=[counted.cycle_id, counted.institution.code])
    ).content.decode()
    assert "SPECT/CT · GE · Discovery NM/CT 670 · Nuclear medicine department" in history
    assert "Equipment unit" in history
    assert "SPECT units" in history  # the count's label, not only its code


def test_minor_devices_are_counted_not_listed(client, make_user, counted):
    legacy = EquipmentUnit.objects.create(report=counted, unit_type="eq_thyroid_analyzer")
    client.force_login(make_user("reporter", institution=counted.institution))
    page = client.get(equipment_url(counted))
    listed, empty = page.context["units"].forms
    offered = {value for value, _label in empty.fields["unit_type"].choices}
    assert "eq_pet_ct" in offered and "eq_cyclotron" in offered
    assert "eq_thyroid_analyzer" not in offered and "eq_bone_densitometer" not in offered
    # A unit listed before keeps its type, and still decides its count.
    assert listed.instance == legacy and "eq_thyroid_analyzer" in {
        value for value, _label in listed.fields["unit_type"].choices
    }
    form = page.context["form"]
    assert form.fields["eq_pet_ct"].widget.attrs["readonly"]
    assert "readonly" not in form.fields["eq_bone_densitometer"].widget.attrs
    assert form.fields["eq_owner_nm"].widget.attrs["data-derived-owner"] == "nm"


def test_a_count_typed_with_the_first_unit_is_shown_changing_before_it_is_lost(
    client, make_user, counted
):
    """JavaScript off: eq_pet_ct typed as 3 in the same save that lists the first unit, a
    SPECT/CT. The units decide eq_pet_ct (0): the page must say 3 → 0, not save 0 unseen."""
    client.force_login(make_user("reporter", institution=counted.institution))
    units = [{"unit_type": "eq_spect_ct", "owner_department": "nm"}]
    typed = equipment_post(counted, units, eq_pet_ct=3, eq_spect=1, eq_owner_nm=1)
    asked = client.post(equipment_url(counted), typed)
    assert asked.status_code == 200
    changes = asked.context["form"].count_changes
    assert changes["eq_pet_ct"] == ("3", "0")
    assert not counted.equipment_units.exists()
    # Saving the same input again, having seen it, stores what the units say.
    typed["counts_shown"] = asked.context["form"].data["counts_shown"]
    assert client.post(equipment_url(counted), typed).status_code == 302
    counted.refresh_from_db()
    assert (counted.eq_pet_ct, counted.eq_spect_ct) == (0, 1)


def test_a_forged_number_of_unit_rows_is_refused_without_building_them(
    client, make_user, counted, monkeypatch
):
    from survey.forms import MAX_UNITS, EquipmentUnitForm

    built = []
    original = EquipmentUnitForm.__init__

    def counting(self, *args, **kwargs):
        built.append(1)
        original(self, *args, **kwargs)

    monkeypatch.setattr(EquipmentUnitForm, "__init__", counting)
    client.force_login(make_user("reporter", institution=counted.institution))
    data = equipment_post(counted, [{"unit_type": "eq_spect_ct", "owner_department": "nm"}])
    data["units-TOTAL_FORMS"] = "100000"
    page = client.post(equipment_url(counted), data)
    assert page.status_code == 200
    assert f"at most {MAX_UNITS}" in page.content.decode()
    assert len(built) <= MAX_UNITS + 2  # the rows, and the empty row the page's script copies
    assert not counted.equipment_units.exists()


@pytest.mark.parametrize(
    ("typed", "words"),
    [("٣", "digits other than 0-9"), ("1_000", "not a whole number"), ("1,5", "a comma")],
)
def test_a_count_in_the_form_follows_the_same_digit_rule_as_an_import(
    client, make_user, counted, typed, words
):
    client.force_login(make_user("reporter", institution=counted.institution))
    data = equipment_post(counted, [], eq_thyroid_analyzer=typed)
    page = client.post(equipment_url(counted), data)
    assert page.status_code == 200
    assert words in " ".join(page.context["form"].errors.get("eq_thyroid_analyzer", []))
    assert Report.objects.get(pk=counted.pk).eq_thyroid_analyzer == 1


def test_full_width_digits_and_thousands_are_read_in_the_form(client, make_user, counted):
    client.force_login(make_user("reporter", institution=counted.institution))
    data = equipment_post(counted, [], eq_thyroid_analyzer="２")
    assert client.post(equipment_url(counted), data).status_code == 302
    assert Report.objects.get(pk=counted.pk).eq_thyroid_analyzer == 2
