"""The anomalies page as a reader uses it: in headless Chromium with the network off, driven by Playwright (the
system's Chromium, no download). Choosing a unit, clicking a heatmap cell, hovering a flagged cell; a unit of the
registry that never reported is in the matrix of reports; a 129-unit page stays under 5 MB."""

from __future__ import annotations

import datetime as dt
import random
import shutil

import polars as pl
import pytest

from conftest import REPO, run_cli

pytestmark = pytest.mark.e2e
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
NEVER = "UBND xã Chưa Từng Báo Cáo"


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    """`cchc run anomalies 2023-05 --area PATH.csv` on the sample, the registry a file of the analyst's with one more
    commune, which never reported (a registry given as a path failed in the page's unit cell: issue 31)."""
    base = tmp_path_factory.mktemp("explore")
    registry = base / "danh-muc" / "tu-ky.csv"
    registry.parent.mkdir()
    shutil.copy(REPO / "params" / "units" / "tu-ky.csv", registry)
    with registry.open("a", encoding="utf-8") as fh:
        fh.write(f"chua-bao-cao,{NEVER},Chưa Từng Báo Cáo,xa,huyen-tu-ky,,2025-06-30,\n")
    db = base / "s.duckdb"
    assert run_cli("ingest", "--sample", "--store", str(db)).returncode == 0
    res = run_cli(
        "run",
        "anomalies",
        "2023-05",
        "--store",
        str(db),
        "--area",
        str(registry),
        "--out",
        str(base / "out"),
        "--quiet",
    )
    assert res.returncode == 0, res.stderr
    return base / "out" / "2023-05-bat-thuong" / "03_anomalies.html"


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    assert CHROMIUM, "chromium is missing: make test installs it (scripts/sysdeps.sh)"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield b
        b.close()


def opened(browser, path):
    """The page opened from its file with every request but the file itself refused and counted."""
    tab = browser.new_page(viewport={"width": 1400, "height": 1000})
    asked = []

    def refuse(route):
        if route.request.url.startswith("file://") or route.request.url.startswith("data:"):
            route.continue_()
        else:
            asked.append(route.request.url)
            route.abort()

    tab.route("**/*", refuse)
    tab.goto(path.as_uri())
    tab.wait_for_selector("select")
    tab.wait_for_timeout(800)  # Vega draws after the bundle has run
    return tab, asked


def unit_view(tab) -> str:
    """The line the unit view writes above its chart: "Đơn vị: … — chỉ tiêu …"."""
    return tab.locator("svg text", has_text="Đơn vị:").first.text_content() or ""


def test_the_picker_chooses_the_unit_every_view_shows(page, browser):
    tab, asked = opened(browser, page)
    assert "Khám phá bất thường tháng 5/2023 — huyện Tứ Kỳ" == tab.title()
    picker = tab.locator("select").first
    names = picker.locator("option").all_text_contents()
    assert "UBND xã Hà Kỳ" in names and NEVER in names  # the registry's names, the silent unit too
    picker.select_option(label="UBND xã Hà Kỳ")
    tab.wait_for_timeout(300)
    assert "Đơn vị: UBND xã Hà Kỳ" in unit_view(tab)
    tab.locator("select").nth(1).select_option(label="thanh toán trực tuyến")
    tab.wait_for_timeout(300)
    assert "thanh toán trực tuyến" in unit_view(tab)
    assert asked == []  # nothing fetched: the page works offline


def test_clicking_a_heatmap_cell_picks_its_unit_and_hovering_names_the_rule(page, browser):
    tab, _ = opened(browser, page)
    cell = tab.locator('svg [aria-roledescription="rect mark"][aria-label*="UBND xã Tiên Động"]').first
    cell.click()
    tab.wait_for_timeout(300)
    assert "Đơn vị: UBND xã Tiên Động" in unit_view(tab)
    # Hà Kỳ's digitization of results fell 11,26 points in May (seed DOMAIN): its cell says which rule fired
    flagged = tab.locator(
        'svg [aria-label*="UBND xã Hà Kỳ"][aria-label*="Quy tắc: Thay đổi đột ngột"][aria-label*="số hóa kết quả"]'
    ).first
    flagged.hover()
    tip = tab.locator("#vg-tooltip-element")
    tip.wait_for(state="visible")
    text = tip.inner_text()
    assert "Thay đổi đột ngột" in text and "thay đổi ≥ 10 điểm %" in text and "85,81%" in text and "97,07%" in text


def test_a_unit_that_never_reported_is_in_the_reports_matrix(page, browser):
    tab, _ = opened(browser, page)
    missing = tab.locator(f'svg [aria-label*="{NEVER}"][aria-label*="Báo cáo: Thiếu"]')
    assert missing.count() == 5 * 5  # five months, five sources
    # and the findings table sorts and searches
    tab.fill("input[type=search]", "Hà Kỳ")
    shown = [r for r in tab.locator("div[id^=cchc-bang] tbody tr").all() if r.is_visible()]
    assert shown and all("Hà Kỳ" in r.inner_text() for r in shown)


def test_the_page_of_129_units_is_under_5_mb():
    from cchc_analysis.compute import exploration
    from cchc_analysis.compute.anomalies import SCHEMA
    from cchc_analysis.core.periods import Month
    from cchc_analysis.inputs.units import Registry, Unit
    from cchc_analysis.render import charts, explore

    rng = random.Random(31)
    units = [
        Unit(f"u{i}", f"UBND phường Thử Nghiệm Số {i:03d}", f"Số {i}", "phuong", "", None, None, ()) for i in range(129)
    ]
    registry = Registry("thu", units)
    rows = []
    for u in units:
        for m in range(1, 13):
            den = rng.randint(50, 400)
            rows.append(
                {"unit_id": u.id, "unit": u.name, "unit_kind": "phuong", "month": dt.date(2026, m, 1), "area": "thu"}
                | {
                    c: rng.randint(0, den)
                    for c in (
                        "so_hoa_tiep_nhan",
                        "so_hoa_ket_qua",
                        "thanh_toan_truc_tuyen",
                        "truc_tuyen",
                        "dung_han",
                        "qua_han",
                        "chung_thuc_dien_tu",
                    )
                }
                | {"phai_so_hoa_tiep_nhan": den, "ket_qua": den, "co_phi": den, "phai_truc_tuyen": den}
            )
    frame = pl.DataFrame(rows)
    found = pl.DataFrame(schema=SCHEMA)
    month = Month(2026, 12)
    reports = pl.DataFrame(
        [
            {"unit_id": u.id, "unit": u.name, "order": i, "month": dt.date(2026, m, 1), "source": s, "sent": True}
            for i, u in enumerate(units)
            for m in range(1, 13)
            for s in ("Mẫu II.06a", "Số hóa", "Thanh toán", "DS hồ sơ", "Tự chấm điểm")
        ]
    )
    chart = explore.page(
        exploration.cells(frame, found, registry, month), exploration.area(frame, registry, month), reports, "Thử"
    )
    charts.enable("html")
    html = charts._html_output(chart.to_dict())["text/html"]
    assert len(html.encode("utf-8")) < 5_000_000, len(html)


def test_january_with_an_area_total_of_the_commune_level(tmp_path, browser):
    """Defects of issue 31, reproduced first: an area total with `scope: commune_level` stopped the run
    (`_NotFound «commune_level»`); January drew four empty charts; the page was titled "Notebook"."""
    db, params = tmp_path / "s.duckdb", tmp_path / "p.yaml"
    assert run_cli("ingest", "--sample", "--store", str(db)).returncode == 0
    params.write_text(
        "anomalies:\n  area_figures:\n    - {period: '2023-01', column: tiep_nhan, scope: commune_level, value: 123}\n",
        encoding="utf-8",
    )
    res = run_cli(
        "run", "anomalies", "2023-01", "--store", str(db), "--params", str(params), "--out", str(tmp_path / "o")
    )
    assert res.returncode == 0, res.stderr
    folder = tmp_path / "o" / "2023-01-bat-thuong"
    rows = (folder / "anomalies.csv").read_text(encoding="utf-8-sig")
    assert "Các xã, thị trấn (tổng)" in rows and "commune_level" not in rows
    tab, _ = opened(browser, folder / "03_anomalies.html")
    assert tab.title() == "Khám phá bất thường tháng 1/2023 — huyện Tứ Kỳ"
    said = tab.locator("svg text").filter(has_text="chưa có số liệu tháng trước để so sánh")
    none = tab.locator("svg text").filter(has_text="không có đơn vị nào có tỷ lệ này")
    assert said.count() >= 4 and said.count() + none.count() == 5  # one per rate, instead of an empty chart
    assert "UBND" in unit_view(tab) or "Phòng" in unit_view(tab)  # a unit, never the area's total


def test_one_units_page(tmp_path, browser):
    db = tmp_path / "s.duckdb"
    assert run_cli("ingest", "--sample", "--store", str(db)).returncode == 0
    res = run_cli("run", "anomalies", "2023-05", "--store", str(db), "--unit", "Hà Kỳ", "--out", str(tmp_path / "o"))
    assert res.returncode == 0, res.stderr
    folder = tmp_path / "o" / "2023-05-bat-thuong-ha-ky"
    units = {r.split(",")[2] for r in (folder / "anomalies.csv").read_text(encoding="utf-8-sig").splitlines()[1:]}
    assert units == {"UBND xã Hà Kỳ"}
    tab, _ = opened(browser, folder / "03_anomalies.html")
    assert tab.title() == "Khám phá bất thường của UBND xã Hà Kỳ tháng 5/2023 — huyện Tứ Kỳ"
    assert tab.locator("select").first.locator("option").all_text_contents() == ["UBND xã Hà Kỳ"]
    assert tab.locator('svg [aria-label*="UBND xã Tái Sơn"]').count() == 0
