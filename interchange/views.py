"""The codebook pages: public documentation of each cycle's instrument, no sign-in needed."""

import io

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from interchange import codebook, template
from interchange.exporting import CONTENT_TYPES
from survey.models import Cycle


@require_safe
def index(request):
    return render(request, "interchange/index.html", {"cycles": codebook.cycles()})


@require_safe
def download(request, year, file_format):
    """The codebook of the cycle of `year` as a CSV or XLSX file."""
    if file_format not in codebook.WRITERS:
        raise Http404
    cycle = get_object_or_404(Cycle, year=year)
    stream = io.BytesIO()  # a few hundred rows: no need to spool
    codebook.WRITERS[file_format](cycle.year, stream)
    stream.seek(0)
    return FileResponse(
        stream,
        as_attachment=True,
        filename=f"codebook-{cycle.year}.{file_format}",
        content_type=CONTENT_TYPES[file_format],
    )


@require_safe
def blank_form(request, year):
    """The cycle's form with empty boxes, every section and item, to print and fill by hand."""
    cycle = get_object_or_404(Cycle, year=year)
    return render(
        request,
        "interchange/blank_form.html",
        {"cycle": cycle, "sections": codebook.sections(cycle.year)},
    )


@require_safe
def excel_template(request, year, language):
    """The cycle's Excel template, labelled in `language`, to fill in and import. Like the
    codebook it holds nothing but the instrument: open to everyone."""
    if language not in template.LANGUAGES:
        raise Http404
    cycle = get_object_or_404(Cycle, year=year)
    stream = io.BytesIO()
    template.write_template(cycle.year, stream, language)
    stream.seek(0)
    return FileResponse(
        stream,
        as_attachment=True,
        filename=f"survey-template-{cycle.year}-{language}.xlsx",
        content_type=CONTENT_TYPES["xlsx"],
    )
