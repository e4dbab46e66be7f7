"""The report form: a page per section, drafts, rules on the right field, last year beside each
item, warnings to explain, no lost updates, equipment units carried forward, closed cycles."""

import threading

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from departments.models import Institution
from equipment.models import EquipmentUnit
from survey import assessment, editing, workflow
from survey.instrument import items as instrument
from survey.models import Cycle, Report, ValueChange

pytestmark = pytest.mark.django_db


def section_url(report, key):
    return reverse("survey:section", args=[report.cycle_id, report.institution.code, key])


def report_url(report):
    return reverse("survey:report", args=[report.cycle_id, report.institution.code])


def section_data(report, key, **values):
    """What the browser posts for a section: every item of the page (those the report's cycle
    asks), blank unless given."""
    report.refresh_from_db()
    data = {"version": report.version}
    for item in instrument.section_items(key, report.cycle_id):
        if item.on_report:
            data[item.code] = ""
    data.update({code: str(value) for code, value in values.items()})
    return data


def row(page, code):
    return next(r for block in page.context["blocks"] for r in block.rows if r.item.code == code)


@pytest.fixture
def logged_in(client, reporter):
    client.force_login(reporter)
    return client


def test_a_draft_saves_with_only_part_of_a_section_filled(logged_in, report_2023):
    version = report_2023.version
    page = logged_in.post(
        section_url(report_2023, "therapy"), section_data(report_2023, "therapy", therapy_beds=12)
    )
    assert page.status_code == 302
    report_2023.refresh_from_db()
    assert report_2023.therapy_beds == 12 and report_2023.tx_i131_graves is None
    assert report_2023.status == "draft" and report_2023.version == version + 1
    state = assessment.assess(report_2023).section("therapy")
    assert state.status == "incomplete" and state.answered == 1


def test_type_and_range_errors_block_even_a_draft(logged_in, report_2023):
    for bad in ("-3", "abc", "2.5", "99999999999"):
        page = logged_in.post(
            section_url(report_2023, "therapy"),
            section_data(report_2023, "therapy", therapy_beds=5, tx_i131_graves=bad),
        )
        assert page.status_code == 200, bad
        assert page.context["form"].errors["tx_i131_graves"], bad
        # The input is kept for correction.
        assert f'value="{bad}"' in page.content.decode()
    report_2023.refresh_from_db()
    assert report_2023.therapy_beds is None


def test_a_broken_rule_is_saved_in_a_draft_and_shown_on_the_field_it_names(
    logged_in, report_2023, settings
):
    logged_in.post(reverse("set_language"), {"language": "en"})
    page = logged_in.post(
        section_url(report_2023, "in_vitro"),
        section_data(report_2023, "in_vitro", iv_samples=100, iv_tests=5, svc=""),
        follow=True,
    )
    report_2023.refresh_from_db()
    assert (report_2023.iv_samples, report_2023.iv_tests) == (100, 5)
    tests = row(page, "iv_tests")
    assert tests.errors == ["Tests performed (5) cannot be fewer than samples tested (100)."]
    assert row(page, "iv_internal_qc").errors == []
    # The service the samples need is in another section: flagged there, and in the progress.
    assert page.context["assessment"].section("services").status == "problems"
    assert page.context["state"].status == "problems"


def test_last_surveys_value_is_shown_beside_each_item(logged_in, make_report, report_2023):
    cycle_2019 = Cycle.objects.create(year=2019)
    make_report(
        cycle=cycle_2019,
        institution=report_2023.institution,
        therapy_beds=12,
        tx_i131_graves=1500,
        tx_other=3,
    )
    page = logged_in.get(section_url(report_2023, "therapy"))
    assert page.context["previous_year"] == 2019
    assert row(page, "therapy_beds").previous == "12"
    assert row(page, "tx_i131_graves").previous == "1,500"
    assert row(page, "tx_p32_patch").previous == "—"
    group = next(b for b in page.context["blocks"] if b.group == "tx_total")
    assert group.previous_total == "1,503"
    assert "2019: <strong>1,500</strong>" in page.content.decode()


def test_labels_are_bilingual_with_units(logged_in, report_2023):
    html = logged_in.get(section_url(report_2023, "therapy")).content.decode()
    therapy_beds = instrument.items_by_code()["therapy_beds"]
    assert "Dedicated radionuclide-therapy beds" in html  # the other language, beside
    assert row(logged_in.get(section_url(report_2023, "therapy")), "therapy_beds").unit
    from django.utils import translation

    with translation.override("zh-hans"):
        assert str(therapy_beds.label) in html


def test_group_totals_are_computed_on_save(logged_in, report_2023):
    page = logged_in.post(
        section_url(report_2023, "therapy"),
        section_data(report_2023, "therapy", tx_i131_graves=1200, tx_other=34),
        follow=True,
    )
    group = next(b for b in page.context["blocks"] if b.group == "tx_total")
    assert group.total == "1,234"
    assert 'data-total-for="tx_total"' in page.content.decode()
    assert 'data-group="tx_total"' in page.content.decode()


def test_a_big_change_against_last_year_needs_an_explanation_before_submitting(
    client, make_report, reporter, report_2023, complete_values
):
    client.force_login(reporter)
    make_report(
        cycle=Cycle.objects.create(year=2019),
        institution=report_2023.institution,
        exam_sp_skeletal=100,
    )
    Report.objects.filter(pk=report_2023.pk).update(
        **{**complete_values, "svc_single_photon": True, "eq_spect_ct": 1, "eq_owner_nm": 1}
    )
    page = client.post(
        section_url(report_2023, "examinations"),
        section_data(
            report_2023,
            "examinations",
            **{code: 0 for code in instrument.GROUPS["exam_pet_total"]},
            **{code: 0 for code in instrument.GROUPS["exam_petmri_total"]},
            **{code: 0 for code in instrument.GROUPS["exam_coin_total"]},
            **{code: 0 for code in instrument.GROUPS["exam_sa_total"]},
            **{code: 0 for code in instrument.GROUPS["exam_sp_total"]},
        )
        | {"exam_sp_skeletal": "350"},
        follow=True,
    )
    warning_row = row(page, "exam_sp_skeletal")
    [(warning, note)] = warning_row.warnings
    assert warning.key == "change-exam_sp_total" and "350" in warning.message
    assert note.name == "note_change-exam_sp_total"
    assert page.context["state"].status == "problems"

    submit = reverse("survey:transition", args=[2023, report_2023.institution.code, "submit"])
    client.post(submit)
    report_2023.refresh_from_db()
    assert report_2023.status == "draft"

    data = section_data(
        report_2023,
        "examinations",
        **{
            code: (350 if code == "exam_sp_skeletal" else 0)
            for code in instrument.GROUPS["exam_sp_total"]
            + instrument.GROUPS["exam_pet_total"]
            + instrument.GROUPS["exam_petmri_total"]
            + instrument.GROUPS["exam_coin_total"]
            + instrument.GROUPS["exam_sa_total"]
        },
    )
    data["note_change-exam_sp_total"] = "A second SPECT/CT since March."
    client.post(section_url(report_2023, "examinations"), data)
    report_2023.refresh_from_db()
    assert report_2023.notes == {"change-exam_sp_total": "A second SPECT/CT since March."}
    client.post(submit)
    report_2023.refresh_from_db()
    assert report_2023.status == "submitted"


def test_examinations_without_equipment_are_a_warning_not_an_error(report_2023, complete_values):
    Report.objects.filter(pk=report_2023.pk).update(
        **{**complete_values, "svc_pet": True, "exam_pet_tumor": 40}
    )
    report_2023.refresh_from_db()
    assessed = assessment.assess(report_2023)
    assert assessed.errors == []
    assert [w.key for w in assessed.unexplained] == ["rule-exam_pet_tumor"]
    report_2023.notes = {"rule-exam_pet_tumor": "The PET/CT is rented from the imaging centre."}
    report_2023.save()
    assert assessment.assess(report_2023).ready


def test_submitting_is_refused_while_a_section_is_incomplete(logged_in, report_2023):
    page = logged_in.post(
        reverse("survey:transition", args=[2023, report_2023.institution.code, "submit"]),
        follow=True,
    )
    report_2023.refresh_from_db()
    assert report_2023.status == "draft"
    assert any("cannot be submitted" in str(m) or "不" in str(m) for m in page.context["messages"])
    assert not page.context["assessment"].ready
    assert "submit" in [step.name for step in page.context["steps"]]


def test_a_stale_save_is_refused_and_the_input_kept(logged_in, report_2023, make_user):
    loaded_at = report_2023.version
    # Meanwhile a colleague saves the same section.
    colleague = make_user("reporter", institution=report_2023.institution)
    editing.save_section(report_2023, values={"therapy_beds": 20}, version=loaded_at, by=colleague)
    data = section_data(report_2023, "therapy", therapy_beds=8, tx_other=5)
    data["version"] = loaded_at
    page = logged_in.post(section_url(report_2023, "therapy"), data)
    assert page.status_code == 200
    report_2023.refresh_from_db()
    assert report_2023.therapy_beds == 20 and report_2023.tx_other is None
    html = page.content.decode()
    assert 'name="therapy_beds" value="8"' in html and 'name="tx_other" value="5"' in html
    assert row(page, "therapy_beds").conflict == "20"
    assert any("Someone else saved" in str(m) or "保存" in str(m) for m in page.context["messages"])
    # The re-rendered form carries the current version: saving again is a deliberate choice.
    assert page.context["form"]["version"].value() == report_2023.version
    data["version"] = report_2023.version
    assert logged_in.post(section_url(report_2023, "therapy"), data).status_code == 302
    report_2023.refresh_from_db()
    assert report_2023.therapy_beds == 8


def test_save_section_refuses_a_stale_version(report_2023, reporter):
    editing.save_section(
        report_2023, values={"therapy_beds": 1}, version=report_2023.version, by=reporter
    )
    with pytest.raises(editing.StaleVersion) as refused:
        editing.save_section(
            report_2023, values={"therapy_beds": 2}, version=report_2023.version, by=reporter
        )
    assert refused.value.report.therapy_beds == 1


@pytest.fixture
def report_2019_with_units(make_report, report_2023):
    previous = make_report(
        cycle=Cycle.objects.create(year=2019), institution=report_2023.institution
    )
    for unit_type, owner in [
        ("eq_pet_ct", "nm"),
        ("eq_pet_ct", "nm"),
        ("eq_spect_ct", "imaging"),
        ("eq_bone_densitometer", ""),
    ]:
        EquipmentUnit.objects.create(
            report=previous,
            unit_type=unit_type,
            manufacturer="GE",
            model_name="Discovery",
            year_installed=2018,
            owner_department=owner,
        )
    return previous


def test_a_new_report_carries_last_years_units_forward_and_derives_its_counts(
    client, make_user, report_2019_with_units
):
    institution = report_2019_with_units.institution
    Report.objects.filter(cycle_id=2023, institution=institution).delete()
    institution.tier = "tertiary_top"
    institution.save()
    reporter = make_user("reporter", institution=institution)
    client.force_login(reporter)
    page = client.post(reverse("survey:start", args=[2023]), {"institution": institution.code})
    report = Report.objects.get(cycle_id=2023, institution=institution)
    assert page.url == report_url(report)
    assert report.equipment_units.count() == 4
    assert (report.eq_pet_ct, report.eq_spect_ct, report.eq_bone_densitometer) == (2, 1, 1)
    assert (report.eq_owner_nm, report.eq_owner_imaging, report.eq_gamma_camera) == (2, 1, 0)
    assert report.tier == "tertiary_top"
    carried = ValueChange.objects.get(report=report, item="eq_pet_ct")
    assert (carried.old_value, carried.new_value, carried.source) == (None, 2, "system")
    assert report.events.get().action == "create"


def test_units_added_in_the_formset_update_the_counts(client, make_user, report_2019_with_units):
    institution = report_2019_with_units.institution
    Report.objects.filter(cycle_id=2023, institution=institution).delete()
    reporter = make_user("reporter", institution=institution)
    report = editing.start_report(
        institution=institution, cycle=Cycle.objects.get(year=2023), by=reporter
    )
    client.force_login(reporter)
    page = client.get(section_url(report, "equipment"))
    assert page.context["units_listed"]
    assert page.context["form"].fields["eq_pet_ct"].widget.attrs["readonly"]
    units = list(report.equipment_units.order_by("pk"))
    data = {
        "version": report.version,
        "units-TOTAL_FORMS": str(len(units) + 1),
        "units-INITIAL_FORMS": str(len(units)),
        "units-MIN_NUM_FORMS": "0",
        "units-MAX_NUM_FORMS": "1000",
    }
    # The counts as the page holds them (a browser posts every field, read-only ones too).
    saved = report.item_values()
    data |= {
        item.code: "" if saved[item.code] is None else str(saved[item.code])
        for item in instrument.section_items("equipment")
    }
    for index, unit in enumerate(units):
        data |= {
            f"units-{index}-id": str(unit.pk),
            f"units-{index}-unit_type": unit.unit_type,
            f"units-{index}-owner_department": unit.owner_department,
            f"units-{index}-manufacturer": unit.manufacturer,
            f"units-{index}-model_name": unit.model_name,
            f"units-{index}-year_installed": str(unit.year_installed),
        }
    retired = next(i for i, unit in enumerate(units) if unit.unit_type == "eq_pet_ct")
    data[f"units-{retired}-DELETE"] = "on"  # one PET/CT retired
    new = len(units)
    data |= {
        f"units-{new}-unit_type": "eq_spect_ct",
        f"units-{new}-owner_department": "nm",
        f"units-{new}-manufacturer": "Siemens",
        f"units-{new}-model_name": "Symbia Intevo",
        f"units-{new}-year_installed": "2023",
    }
    # Without the page's script nothing showed the counts changing: the save asks first.
    asked = client.post(section_url(report, "equipment"), data)
    assert asked.status_code == 200
    assert asked.context["form"].count_changes == {
        "eq_pet_ct": ("2", "1"),
        "eq_spect_ct": ("1", "2"),
    }
    assert Report.objects.get(pk=report.pk).version == report.version
    data["counts_shown"] = asked.context["form"].data["counts_shown"]
    assert client.post(section_url(report, "equipment"), data).status_code == 302
    report.refresh_from_db()
    assert (report.eq_pet_ct, report.eq_spect_ct, report.eq_owner_nm, report.eq_owner_imaging) == (
        1,
        2,
        2,
        1,
    )
    assert ValueChange.objects.filter(report=report, item="eq_spect_ct", new_value=2).exists()


def test_an_imaging_unit_without_an_owner_is_refused(client, reporter, report_2023):
    client.force_login(reporter)
    data = section_data(report_2023, "equipment") | {
        "units-TOTAL_FORMS": "1",
        "units-INITIAL_FORMS": "0",
        "units-0-unit_type": "eq_pet_ct",
        "units-0-owner_department": "",
    }
    page = client.post(section_url(report_2023, "equipment"), data)
    assert page.status_code == 200
    assert page.context["units"].forms[0].errors["owner_department"]
    assert not report_2023.equipment_units.exists()


def test_a_closed_cycle_refuses_edits(logged_in, report_2023, reporter):
    Cycle.objects.filter(year=2023).update(is_open=False)
    page = logged_in.post(
        section_url(report_2023, "therapy"), section_data(report_2023, "therapy", therapy_beds=3)
    )
    assert page.status_code == 403
    report_2023.refresh_from_db()
    assert report_2023.therapy_beds is None
    with pytest.raises(workflow.NotAllowed):
        editing.save_section(
            report_2023, values={"therapy_beds": 3}, version=report_2023.version, by=reporter
        )
    page = logged_in.get(section_url(report_2023, "therapy"))
    assert page.status_code == 200 and not page.context["editable"]
    assert page.context["form"].fields["therapy_beds"].disabled
    assert "Save draft" not in page.content.decode()


def test_a_submitted_report_is_read_only_for_its_reporter(logged_in, report_2023):
    Report.objects.filter(pk=report_2023.pk).update(status="submitted")
    page = logged_in.get(section_url(report_2023, "therapy"))
    assert not page.context["editable"]
    assert logged_in.post(section_url(report_2023, "therapy"), {"version": 1}).status_code == 403


def test_every_section_page_renders(logged_in, report_2023):
    for section in instrument.SECTIONS:
        page = logged_in.get(section_url(report_2023, section.key))
        assert page.status_code == 200, section.key
    assert logged_in.get(section_url(report_2023, "nonsense")).status_code == 404


def test_flags_and_choices_are_saved_from_the_form(logged_in, report_2023):
    logged_in.post(
        section_url(report_2023, "radiopharmaceuticals"),
        section_data(
            report_2023,
            "radiopharmaceuticals",
            license_class="IIIA",
            rp_positron="True",
            rp_f18="False",
        ),
    )
    report_2023.refresh_from_db()
    assert (report_2023.license_class, report_2023.rp_positron, report_2023.rp_f18) == (
        "IIIA",
        True,
        False,
    )
    assert report_2023.rp_ga68 is None


def _institutions(count, sichuan):
    for n in range(count):
        institution = Institution.objects.create(
            code=f"Q{count}-{n}", name_zh=f"医院{n}", province=sichuan
        )
        Report.objects.create(institution=institution, cycle_id=2023)


def _queries(client, report, key, data=None):
    with CaptureQueriesContext(connection) as queries:
        if data is None:
            page = client.get(section_url(report, key))
            assert page.status_code == 200
        else:
            page = client.post(section_url(report, key), data)
            assert page.status_code == 302
    return len(queries)


@pytest.mark.parametrize("key", ["therapy", "equipment"])
def test_the_query_count_of_form_pages_does_not_grow_with_the_institutions(
    logged_in, report_2023, sichuan, make_report, key
):
    make_report(cycle=Cycle.objects.create(year=2019), institution=report_2023.institution)
    counts = []
    for extra in (3, 30):
        _institutions(extra, sichuan)
        get = _queries(logged_in, report_2023, key)
        data = section_data(
            report_2023, key, **({"therapy_beds": extra} if key == "therapy" else {})
        )
        if key == "equipment":
            data |= {"units-TOTAL_FORMS": "0", "units-INITIAL_FORMS": "0"}
        post = _queries(logged_in, report_2023, key, data)
        overview = len(_capture(logged_in, report_url(report_2023)))
        counts.append((get, post, overview))
    assert counts[0] == counts[1]
    assert counts[1][0] <= 12


def _capture(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return queries


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_saves_from_the_same_version_cannot_both_win(report_2023, reporter):
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent connections: runs in the PostgreSQL pass")
    loaded_at = report_2023.version
    start, outcomes = threading.Barrier(2), []

    def save(beds):
        try:
            start.wait()
            editing.save_section(
                report_2023, values={"therapy_beds": beds}, version=loaded_at, by=reporter
            )
            outcomes.append(("saved", beds))
        except editing.StaleVersion:
            outcomes.append(("refused", beds))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=save, args=(beds,)) for beds in (10, 20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcome for outcome, _beds in outcomes) == ["refused", "saved"]
    [winner] = [beds for outcome, beds in outcomes if outcome == "saved"]
    report_2023.refresh_from_db()
    assert report_2023.therapy_beds == winner and report_2023.version == loaded_at + 1
    assert ValueChange.objects.filter(report=report_2023, item="therapy_beds").count() == 1


def test_a_reporter_prints_and_downloads_exactly_what_was_filed(client, reporter, report_2023):
    import io

    from interchange.importing import import_file

    Report.objects.filter(pk=report_2023.pk).update(eq_pet_ct=2, op_suggestions="更多培训")
    client.force_login(reporter)
    code = report_2023.institution.code
    page = client.get(reverse("survey:print", args=[2023, code]))
    assert page.status_code == 200
    rows = dict(
        (item.code, value) for _section, items in page.context["sections"] for item, value in items
    )
    assert (rows["eq_pet_ct"], rows["op_suggestions"], rows["eq_pet_mri"]) == ("2", "更多培训", "—")
    download = client.get(reverse("survey:download", args=[2023, code]))
    data = b"".join(download.streaming_content)
    assert import_file(io.BytesIO(data)).reports_unchanged == 1


def test_a_year_that_is_not_a_year_is_ignored_not_an_error(logged_in):
    for year in ("²", "99999999999999999999999", "abc"):
        assert logged_in.get(reverse("survey:reports"), {"year": year}).status_code == 200


def test_line_breaks_from_the_browser_are_stored_as_the_importer_reads_them(logged_in, report_2023):
    logged_in.post(
        section_url(report_2023, "opinions"),
        section_data(report_2023, "opinions", op_suggestions="第一行\r\n第二行"),
    )
    report_2023.refresh_from_db()
    assert report_2023.op_suggestions == "第一行\n第二行"


def test_a_refused_save_lists_its_errors_at_the_top_and_the_section_is_not_complete(
    logged_in, report_2023, complete_values
):
    Report.objects.filter(pk=report_2023.pk).update(**complete_values)
    assert assessment.assess(Report.objects.get(pk=report_2023.pk)).section("therapy").status == (
        "complete"
    )
    data = section_data(
        report_2023,
        "therapy",
        **{item.code: 0 for item in instrument.section_items("therapy") if item.kind == "count"},
    )
    data |= {"therapy_beds": "many", "tx_other": "-3"}
    page = logged_in.post(section_url(report_2023, "therapy"), data)
    assert page.status_code == 200
    targets = [target for target, _label, _message in page.context["error_summary"]]
    assert targets == ["id_therapy_beds", "id_tx_other"]
    text = page.content.decode()
    assert 'id="error-summary" role="alert" tabindex="-1"' in text
    assert 'href="#id_therapy_beds"' in text
    # The page says what the input is, not what was saved before: not "complete".
    assert "badge-complete" not in text.split('id="section-title"')[1].split("</p>")[0]
    assert 'class="tab tab-problems current"' in text
    assert "data-unsaved" in text  # leaving now would lose the input: the script asks
    assert Report.objects.get(pk=report_2023.pk).therapy_beds == 0
