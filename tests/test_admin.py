"""The admin lists and edits the registry and the reports."""

import pytest
from django.urls import reverse


@pytest.fixture
def admin_client(client, django_user_model):
    admin = django_user_model.objects.create_superuser("admin", "admin@example.org", "x")
    client.force_login(admin)
    return client


@pytest.mark.parametrize(
    "url",
    [
        "admin:departments_institution_changelist",
        "admin:departments_province_changelist",
        "admin:survey_report_changelist",
        "admin:survey_cycle_changelist",
    ],
)
def test_changelists_render(admin_client, make_report, url):
    make_report()
    assert admin_client.get(reverse(url)).status_code == 200


def test_reports_filter_by_province_tier_cycle_and_status(admin_client, make_report):
    make_report(tier="tertiary_top")
    page = admin_client.get(
        reverse("admin:survey_report_changelist"),
        {
            "cycle__year__exact": 2023,
            "status__exact": "draft",
            "tier__exact": "tertiary_top",
            "institution__province__code__exact": "51",
            "q": "T51",
        },
    )
    assert page.status_code == 200
    assert "T510001" in page.content.decode()


def test_the_report_page_shows_every_section(admin_client, make_report):
    report = make_report()
    page = admin_client.get(reverse("admin:survey_report_change", args=[report.pk]))
    assert page.status_code == 200
    assert "eq_pet_ct" in page.content.decode() and "op_suggestions" in page.content.decode()


def test_a_rule_breaking_report_is_refused_by_the_admin(admin_client, make_report):
    report = make_report()
    form = {
        "institution": report.institution.pk,
        "cycle": 2023,
        "status": "draft",
        "iv_samples": "100",
        "iv_tests": "5",
        "equipment_units-TOTAL_FORMS": "0",
        "equipment_units-INITIAL_FORMS": "0",
    }
    page = admin_client.post(reverse("admin:survey_report_change", args=[report.pk]), form)
    assert page.status_code == 200
    report.refresh_from_db()
    assert report.iv_samples is None


def admin_edit_data(page, report, **changes):
    data = {
        name: "" if value is None else value
        for name, value in page.context["adminform"].form.initial.items()
    }
    data.update(
        {
            "institution": report.institution.pk,
            "cycle": report.cycle_id,
            "loaded_version": page.context["adminform"].form.fields["loaded_version"].initial,
            "equipment_units-TOTAL_FORMS": 0,
            "equipment_units-INITIAL_FORMS": 0,
            **changes,
        }
    )
    return {k: v for k, v in data.items() if v is not False and not isinstance(v, list)}


def test_an_admin_edit_of_a_report_saved_meanwhile_is_refused(admin_client, make_report):
    report = make_report(res_papers_sci=2)
    url = reverse("admin:survey_report_change", args=[report.pk])
    page = admin_client.get(url)
    report.res_papers_sci = 7  # a reporter saves while the admin page is open
    report.save()
    response = admin_client.post(url, admin_edit_data(page, report, res_papers_sci=5))
    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors()
    report.refresh_from_db()
    assert report.res_papers_sci == 7


def test_an_admin_edit_goes_to_the_audit_trail(admin_client, make_report):
    from survey.models import ValueChange

    report = make_report(res_papers_sci=2)
    page = admin_client.get(reverse("admin:survey_report_change", args=[report.pk]))
    data = admin_edit_data(page, report, res_papers_sci=5)
    response = admin_client.post(reverse("admin:survey_report_change", args=[report.pk]), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    change = ValueChange.objects.get(report=report, item="res_papers_sci")
    assert (change.old_value, change.new_value, change.source) == (2, 5, "admin")


def unit_rows(*units):
    rows = {"equipment_units-TOTAL_FORMS": len(units), "equipment_units-INITIAL_FORMS": 0}
    for n, unit_type in enumerate(units):
        rows |= {
            f"equipment_units-{n}-unit_type": unit_type,
            f"equipment_units-{n}-owner_department": "nm",
        }
    return rows


def test_units_listed_in_the_admin_change_no_count_the_admin_did_not_set(admin_client, make_report):
    report = make_report(eq_spect_ct=0, eq_spect=0, eq_owner_nm=0, eq_thyroid_analyzer=1)
    url = reverse("admin:survey_report_change", args=[report.pk])
    data = admin_edit_data(admin_client.get(url), report) | unit_rows("eq_spect_ct", "eq_spect")
    page = admin_client.post(url, data)
    assert page.status_code == 200
    assert "SPECT/CT" in str(page.context["inline_admin_formsets"][0].formset.non_form_errors())
    report.refresh_from_db()
    assert (report.eq_spect_ct, report.equipment_units.count()) == (0, 0)

    data |= {"eq_spect_ct": 1, "eq_spect": 1, "eq_owner_nm": 2}
    assert admin_client.post(url, data).status_code == 302
    report.refresh_from_db()
    assert (report.eq_spect_ct, report.eq_spect, report.eq_thyroid_analyzer) == (1, 1, 1)


def test_units_listed_in_the_admin_go_to_the_audit_trail(admin_client, make_report):
    from survey.models import ValueChange

    report = make_report(eq_spect_ct=1, eq_owner_nm=1)
    url = reverse("admin:survey_report_change", args=[report.pk])
    data = admin_edit_data(admin_client.get(url), report) | unit_rows("eq_spect_ct")
    assert admin_client.post(url, data).status_code == 302
    unit = report.equipment_units.get()
    change = ValueChange.objects.get(report=report, item=f"unit:{unit.pk}")
    assert change.old_value is None and change.new_value["type"] == "eq_spect_ct"


def attribute_rows(*units):
    """Unit rows of (type, long axial, made in China)."""
    rows = unit_rows(*(unit_type for unit_type, _long_axial, _domestic in units))
    for n, (_unit_type, long_axial, domestic) in enumerate(units):
        rows |= {f"equipment_units-{n}-long_axial": "on"} if long_axial else {}
        rows |= {f"equipment_units-{n}-made_in_china": "on"} if domestic else {}
    return rows


@pytest.fixture
def report_2028(make_report):
    from survey.models import Cycle

    return make_report(cycle=Cycle.objects.create(year=2028, is_open=True))


def test_the_admin_checks_the_2028_attribute_counts_against_the_units(admin_client, report_2028):
    from survey.models import ValueChange

    admin_client.cookies["django_language"] = "en"
    url = reverse("admin:survey_report_change", args=[report_2028.pk])
    page = admin_client.get(url)
    shown = page.context["inline_admin_formsets"][0].formset.empty_form.fields
    assert {"long_axial", "made_in_china"} <= set(shown)
    counts = {"eq_pet_ct": 2, "eq_pet_mri": 0, "eq_owner_nm": 2}
    units = attribute_rows(("eq_pet_ct", True, True), ("eq_pet_ct", False, False))
    data = admin_edit_data(page, report_2028, **counts) | units
    refused = admin_client.post(url, data)
    assert refused.status_code == 200
    errors = str(refused.context["inline_admin_formsets"][0].formset.non_form_errors())
    assert "long axial field of view (total-body) scanners — → 1" in errors
    assert "made in China — → 1" in errors
    assert not report_2028.equipment_units.exists()

    data |= {"eq_pet_long_axial": 1, "eq_positron_domestic": 1}
    assert admin_client.post(url, data).status_code == 302
    report_2028.refresh_from_db()
    assert (report_2028.eq_pet_long_axial, report_2028.eq_positron_domestic) == (1, 1)
    unit = report_2028.equipment_units.get(long_axial=True)
    change = ValueChange.objects.get(report=report_2028, item=f"unit:{unit.pk}")
    assert change.new_value["long_axial"] is True and change.new_value["made_in_china"] is True


def test_the_admin_refuses_long_axial_on_other_types(admin_client, report_2028):
    admin_client.cookies["django_language"] = "en"
    url = reverse("admin:survey_report_change", args=[report_2028.pk])
    counts = {"eq_spect": 1, "eq_owner_nm": 1, "eq_pet_long_axial": 0, "eq_positron_domestic": 0}
    data = admin_edit_data(admin_client.get(url), report_2028, **counts)
    page = admin_client.post(url, data | attribute_rows(("eq_spect", True, False)))
    assert page.status_code == 200
    unit = page.context["inline_admin_formsets"][0].formset.forms[0]
    assert "Only a PET or PET/CT unit" in str(unit.errors["long_axial"])
    assert not report_2028.equipment_units.exists()


def test_a_2023_report_has_no_unit_attributes_in_the_admin(admin_client, make_report):
    report = make_report(eq_pet_ct=0, eq_owner_nm=0)
    url = reverse("admin:survey_report_change", args=[report.pk])
    page = admin_client.get(url)
    shown = page.context["inline_admin_formsets"][0].formset.empty_form.fields
    assert not {"long_axial", "made_in_china"} & set(shown)
    data = admin_edit_data(page, report, eq_pet_ct=1, eq_owner_nm=1)
    # A box posted anyway is not read: 2023 neither asks nor counts it.
    assert (
        admin_client.post(url, data | attribute_rows(("eq_pet_ct", True, True))).status_code == 302
    )
    unit = report.equipment_units.get()
    assert (unit.long_axial, unit.made_in_china) == (None, None)  # not said: 2023 did not ask
    report.refresh_from_db()
    assert (report.eq_pet_long_axial, report.eq_positron_domestic) == (None, None)


def test_a_new_report_of_a_cycle_not_asking_them_refuses_unit_attributes(admin_client, make_report):
    from survey.models import Cycle

    admin_client.cookies["django_language"] = "en"
    institution = make_report().institution
    Cycle.objects.create(year=2019)
    data = {
        "institution": institution.pk,
        "cycle": 2019,
        "status": "draft",
        "eq_pet_ct": 1,
        "eq_owner_nm": 1,
    } | attribute_rows(("eq_pet_ct", False, True))
    page = admin_client.post(reverse("admin:survey_report_add"), data)
    assert page.status_code == 200
    errors = str(page.context["inline_admin_formsets"][0].formset.non_form_errors())
    assert "is not asked in 2019 (asked from 2028)" in errors
    assert not institution.reports.filter(cycle=2019).exists()
