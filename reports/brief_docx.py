"""The brief report as a Word document (python-docx): its title, a heading per section, the
section's paragraphs and a table of its key figures (value, baseline, growth), from the same
sections as the page and the text (`reports.brief.write`)."""

import io

from django.utils.translation import gettext as _
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH


def build(sections, *, heading, year, baseline=None):
    """The .docx file's bytes."""
    document = Document()
    document.core_properties.title = heading
    document.add_heading(heading, level=0)
    for section in sections:
        document.add_heading(section.title, level=1)
        for paragraph in section.paragraphs:
            document.add_paragraph(paragraph)
        if section.table:
            _add_table(document, section.table, year, baseline)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _add_table(document, rows, year, baseline):
    header = [_("Figure"), str(year)]
    if baseline:
        header += [str(baseline), _("Growth")]
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Light Grid Accent 1"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = text
    for row in rows:
        cells = table.add_row().cells
        values = [row.label, row.value] + ([row.baseline, row.growth] if baseline else [])
        for index, (cell, text) in enumerate(zip(cells, values, strict=True)):
            cell.text = text
            if index:  # numbers align right, as in a printed table
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    # Space between the table and the next section's heading.
    document.add_paragraph()
