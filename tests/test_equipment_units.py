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
    for item in instrument.section_items("equipment", report.cycle_id):
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


def shown_counts(report, *units):
    """The fingerprint the page's script writes for these units of `report`: (type, owner)
    pairs, or rows as `equipment_post` takes them."""
    rows = [
        u if isinstance(u, dict) else {"unit_type": u[0], "owner_department": u[1]} for u in units
    ]
    fields = ("unit_type", "owner_department", "long_axial", "made_in_china")
    return fingerprint(
        counts_from_units(
            [EquipmentUnit(report=report, **{f: r[f] for f in fields if f in r}) for r in rows]
        )
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
    shown = shown_counts(
        counted, ("eq_spect_ct", "nm"), ("eq_spect", "nm"), ("eq_pet_ct", "imaging")
    )
    page = client.post(equipment_url(counted), equipment_post(counted, units, counts_shown=shown))
    assert page.status_code == 302
    counted.refresh_from_db()
    assert (counted.eq_pet_ct, counted.eq_owner_imaging, counted.eq_thyroid_analyzer) == (1, 1, 1)


def test_a_page_that_showed_other_counts_is_asked_again(client, make_user, counted):
    client.force_login(make_user("reporter", institution=counted.institution))
    units = [{"unit_type": "eq_pet_ct", "owner_department": "nm"}]
    stale = shown_counts(
        counted, ("eq_spect_ct", "nm")
    )  # what the page showed is not what is saved
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
    shown = shown_counts(counted, ("eq_spect_ct", "nm"))
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


# -- what a unit says of itself: long axial field of view, made in China (asked from 2028) --


@pytest.fixture
def report_2028(make_report):
    from survey.models import Cycle

    return make_report(cycle=Cycle.objects.create(year=2028, is_open=True))


def pet(*, long_axial=False, made_in_china=False, unit_type="eq_pet_ct", owner="nm"):
    return {
        "unit_type": unit_type,
        "owner_department": owner,
        "long_axial": long_axial,
        "made_in_china": made_in_china,
    }


PET_UNITS = [
    pet(long_axial=True, made_in_china=True),
    pet(made_in_china=True),
    pet(),
    pet(unit_type="eq_pet_mri", made_in_china=True),
]


def test_a_2028_report_counts_its_long_axial_and_domestic_units(client, make_user, report_2028):
    client.force_login(make_user("reporter", institution=report_2028.institution))
    shown = shown_counts(report_2028, *PET_UNITS)
    data = equipment_post(report_2028, PET_UNITS, counts_shown=shown)
    assert client.post(equipment_url(report_2028), data).status_code == 302
    report_2028.refresh_from_db()
    assert (report_2028.eq_pet_ct, report_2028.eq_pet_mri) == (3, 1)
    # 1 of the 3 PET/CT is long-axial; 2 PET/CT and the PET/MRI are made in China.
    assert (report_2028.eq_pet_long_axial, report_2028.eq_positron_domestic) == (1, 3)
    assert report_2028.equipment_units.filter(long_axial=True).count() == 1

    page = client.get(equipment_url(report_2028))
    assert "eq_pet_long_axial=1" in shown and "eq_positron_domestic=3" in shown
    unit = page.context["units"].forms[0]
    assert unit.fields["long_axial"].widget.attrs["data-only-types"] == "eq_pet_ct"
    assert unit.fields["made_in_china"].widget.attrs["data-unit-attribute"] == "made_in_china"
    form = page.context["form"]
    for code in ("eq_pet_long_axial", "eq_positron_domestic"):
        assert form.fields[code].widget.attrs["readonly"], code  # the units decide it


def test_a_2023_report_neither_asks_nor_derives_them(client, make_user, counted):
    client.force_login(make_user("reporter", institution=counted.institution))
    page = client.get(equipment_url(counted))
    assert "long_axial" not in page.content.decode()  # no box on a cycle that does not ask
    # A posted box is not read, and the counts stay not asked.
    units = [pet(long_axial=True, made_in_china=True), pet(made_in_china=True)]
    shown = shown_counts(counted, *units)
    assert "long_axial" not in shown and "domestic" not in shown
    data = equipment_post(counted, units, counts_shown=shown)
    assert client.post(equipment_url(counted), data).status_code == 302
    counted.refresh_from_db()
    assert counted.eq_pet_ct == 2
    assert (counted.eq_pet_long_axial, counted.eq_positron_domestic) == (None, None)
    assert not counted.equipment_units.filter(long_axial=True).exists()
    assert not counted.equipment_units.filter(made_in_china=True).exists()


def test_long_axial_is_refused_on_a_spect_unit(client, make_user, report_2028):
    from django.core.exceptions import ValidationError

    client.force_login(make_user("reporter", institution=report_2028.institution))
    units = [pet(unit_type="eq_spect", long_axial=True, made_in_china=True)]
    data = equipment_post(report_2028, units, counts_shown=shown_counts(report_2028, *units))
    page = client.post(equipment_url(report_2028), data)
    assert page.status_code == 200
    errors = page.context["units"].forms[0].errors["long_axial"]
    assert errors == [
        "Only a PET or PET/CT unit can have a long axial field of view: untick it, or change "
        "the type."
    ]
    assert not report_2028.equipment_units.exists()
    # Made in China is any unit's to say.
    unit = EquipmentUnit(report=report_2028, unit_type="eq_spect", owner_department="nm")
    unit.made_in_china = True
    unit.full_clean()
    unit.long_axial = True
    with pytest.raises(ValidationError) as refused:
        unit.full_clean()
    assert set(refused.value.message_dict) == {"long_axial"}


def test_a_post_changing_the_derived_counts_unseen_is_refused(client, make_user, report_2028):
    """A forged (or stale) page: a PET/CT becomes long-axial and made in China, with the counts
    the page showed before. Nothing is saved until the page has shown them changing."""
    client.force_login(make_user("reporter", institution=report_2028.institution))
    first = [pet()]
    shown_before = shown_counts(report_2028, *first)
    data = equipment_post(report_2028, first, counts_shown=shown_before)
    assert client.post(equipment_url(report_2028), data).status_code == 302
    report_2028.refresh_from_db()
    assert (report_2028.eq_pet_long_axial, report_2028.eq_positron_domestic) == (0, 0)
    unit = report_2028.equipment_units.get()
    version = report_2028.version

    changed = [{"id": unit.pk, **pet(long_axial=True, made_in_china=True)}]
    forged = equipment_post(report_2028, changed, counts_shown=shown_before)
    asked = client.post(equipment_url(report_2028), forged)
    assert asked.status_code == 200
    assert asked.context["form"].count_changes == {
        "eq_pet_long_axial": ("0", "1"),
        "eq_positron_domestic": ("0", "1"),
    }
    # A page that left the new counts out of what it showed is asked too.
    without = ",".join(p for p in shown_before.split(",") if "long_axial" not in p)
    forged["counts_shown"] = without
    assert client.post(equipment_url(report_2028), forged).status_code == 200
    # Typing other counts by hand is no way round: the units decide them.
    typed = equipment_post(
        report_2028, changed, counts_shown=shown_before, eq_pet_long_axial=5, eq_positron_domestic=2
    )
    assert client.post(equipment_url(report_2028), typed).status_code == 200
    stored = Report.objects.get(pk=report_2028.pk)
    assert stored.version == version
    assert (stored.eq_pet_long_axial, stored.eq_positron_domestic) == (0, 0)
    assert not report_2028.equipment_units.filter(long_axial=True).exists()

    # Saving what the page now shows confirms, and the unit's change is audited.
    forged["counts_shown"] = asked.context["form"].data["counts_shown"]
    assert client.post(equipment_url(report_2028), forged).status_code == 302
    stored = Report.objects.get(pk=report_2028.pk)
    assert (stored.eq_pet_long_axial, stored.eq_positron_domestic) == (1, 1)
    audited = ValueChange.objects.filter(report=report_2028, item=f"unit:{unit.pk}").latest("pk")
    assert (audited.old_value["long_axial"], audited.new_value["long_axial"]) == (False, True)
    assert audited.new_value["made_in_china"] is True


def test_the_workbook_has_the_cycles_items_and_unit_attributes(client, make_user, report_2028):
    import io

    from openpyxl import load_workbook

    from equipment.services import apply_unit_counts
    from interchange.importing import import_file

    for unit in PET_UNITS:
        EquipmentUnit.objects.create(
            report=report_2028,
            **{("owner_department" if k == "owner" else k): v for k, v in unit.items()},
        )
    apply_unit_counts(report_2028)
    client.force_login(make_user("reporter", institution=report_2028.institution))
    url = reverse("survey:workbook", args=[2028, report_2028.institution.code])
    data = b"".join(client.get(url).streaming_content)
    workbook = load_workbook(io.BytesIO(data), read_only=True)
    header, values = list(workbook["survey"].values)
    row = dict(zip(header, values, strict=True))
    assert (row["eq_pet_long_axial"], row["eq_positron_domestic"]) == (1, 3)
    units = list(workbook["units"].values)
    assert units[0][-2:] == ("Long axial field of view", "Made in China")
    assert [u[-2:] for u in units[1:]] == [
        ("Yes", "Yes"),
        ("No", "Yes"),
        ("No", "No"),
        ("No", "Yes"),
    ]
    summary = import_file(io.BytesIO(data), name="report.xlsx")  # as it is
    assert summary.ok, summary.errors
    assert (summary.reports_unchanged, summary.reports_updated) == (1, 0)


def test_a_2023_workbook_has_only_what_2023_asks(client, make_user, counted):
    import io

    from openpyxl import load_workbook

    from interchange.importing import import_file

    EquipmentUnit.objects.create(report=counted, unit_type="eq_spect_ct", owner_department="nm")
    client.force_login(make_user("reporter", institution=counted.institution))
    url = reverse("survey:workbook", args=[2023, counted.institution.code])
    data = b"".join(client.get(url).streaming_content)
    workbook = load_workbook(io.BytesIO(data), read_only=True)
    header = next(workbook["survey"].values)
    assert "eq_pet_ct" in header
    assert "eq_pet_long_axial" not in header and "exam_pet_psma" not in header
    assert len(next(workbook["units"].values)) == 5  # no attribute 2023 does not ask
    summary = import_file(io.BytesIO(data), name="report.xlsx")
    assert summary.ok, summary.errors
    assert (summary.reports_unchanged, summary.reports_updated) == (1, 0)
