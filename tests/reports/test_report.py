"""/report's one-page PDF for a coach's file."""

from __future__ import annotations

import sys
from datetime import date, timedelta

from bot.core.digest import ReportDay
from bot.reports.report import ReportLabels, render_report_pdf

LABELS = ReportLabels(chart="Energie en spanning", energy="Energie", stress="Spanning")
FIRST = date(2026, 11, 3)


def pages(pdf: bytes) -> int:
    return pdf.count(b"/Type /Page\n") + pdf.count(b"/Type /Page ") + pdf.count(b"/Type /Page/")


def days(count: int = 28) -> tuple[ReportDay, ...]:
    return tuple(
        ReportDay(FIRST + timedelta(days=n), n % 10 if n % 3 else None, 5.0, 3.0)
        for n in range(count)
    )


def test_a_one_page_pdf_comes_out_with_a_chart():
    pdf = render_report_pdf("Ann: rapport", ["Check-ins: 5 van de 7 dagen"] * 5, days(), LABELS)
    assert pdf.startswith(b"%PDF")
    assert pages(pdf) == 1


def test_without_shared_check_ins_the_page_holds_text_only():
    pdf = render_report_pdf("Ann: rapport", ["Deelt niets met je."], None, LABELS)
    assert pdf.startswith(b"%PDF") and pages(pdf) == 1


def test_a_long_text_still_fits_on_one_page():
    lines = ["Gedeelde reflectie (3 nov): " + "woord " * 200] * 30
    pdf = render_report_pdf("Ann: rapport", lines, days(), LABELS)
    assert pages(pdf) == 1


def test_the_module_does_not_load_matplotlib_by_itself():
    import subprocess

    script = "import sys, bot.reports.report; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_a_name_with_characters_the_font_lacks_leaves_them_out_without_a_box():
    import warnings

    from bot.reports.glyphs import drawable

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        pdf = render_report_pdf("🌻: rapport", ["Anna 🌻 Jansen: 5 van de 7 dagen"], days(), LABELS)

    assert pages(pdf) == 1
    assert not [w for w in caught if "missing from font" in str(w.message)]
    assert drawable("🌻: wat gedeeld is") == "wat gedeeld is"
    assert drawable("Anna 🌻 Jansen") == "Anna Jansen"
    assert drawable("Zoë Ørsted – Łódź, 5,0") == "Zoë Ørsted – Łódź, 5,0"  # kept as it is
