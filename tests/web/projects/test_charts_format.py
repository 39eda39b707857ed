"""SVG charts (valid, accessible, escaped) and number formatting per language."""

import xml.etree.ElementTree as ET

import pytest
from django.utils import translation

from impactnum.web.projects import charts
from impactnum.web.projects.templatetags.impactnum_format import estimate, format_number

SVG = "{http://www.w3.org/2000/svg}"


def parse(chart):
    return ET.fromstring(str(chart.svg))


def test_format_number_per_language():
    with translation.override("fr"):
        assert format_number(1234567.891) == "1\u00a0234\u00a0568"
        assert format_number(0.017254) == "0,0173"
        assert format_number(5.0) == "5"
        assert format_number(-0.0) == "0"
        assert format_number(None) == "—"
        assert format_number(float("nan")) == "—"
        assert "non disponible" in estimate(None)
        assert estimate({"value": 1.5, "low": 1, "high": 2}, "kg") == (
            '1,5\u00a0kg <span class="range">(1–2)</span>'
        )
    with translation.override("en"):
        assert format_number(1234.5) == "1,234"
        assert format_number(2.25) == "2.25"


@pytest.fixture(autouse=True)
def french():
    with translation.override("fr"):
        yield


def test_stacked_bars_are_accessible_and_escaped():
    chart = charts.stacked_phase_bars(
        "c1",
        "Climat",
        "kgCO2e",
        [("<script>", {"manufacture": 10.0, "use": 5.0, "distribution": None})],
        [("manufacture", "Fabrication"), ("distribution", "Distribution"), ("use", "Utilisation")],
    )
    root = parse(chart)
    assert root.get("role") == "img" and root.get("aria-labelledby") == "c1-title c1-desc"
    assert root.find(f"{SVG}title").text.startswith("Impacts par an")
    assert "Distribution" in root.find(f"{SVG}desc").text  # missing phase is said
    classes = {r.get("class") for r in root.iter(f"{SVG}rect")}
    assert classes == {"bar-manufacture", "bar-use"}
    assert "<script>" not in str(chart.svg) and "style=" not in str(chart.svg)
    assert chart.rows == [["<script>", "10", "non disponible", "5", "15"]]


def test_waterfall_and_range_bars():
    est = lambda v, lo, hi: {"value": v, "low": lo, "high": hi}  # noqa: E731
    chart = charts.waterfall(
        "w", "Climat", "kgCO2e", est(100, 80, 120), est(150, 100, 200), est(-50, -120, 20)
    )
    root = parse(chart)
    assert [r.get("class") for r in root.iter(f"{SVG}rect")] == [
        "bar-use",
        "bar-avoided",
        "bar-net",
    ]
    assert len([x for x in root.iter(f"{SVG}line") if x.get("class") == "whisker"]) == 9
    assert chart.rows[2][1] == "-50"
    bars = charts.range_bars("r", "Net", "kgCO2e", [("A", est(3, 2, 4)), ("B", None)])
    assert bars.rows[1][1] == "non disponible"
    assert parse(bars).get("role") == "img"
