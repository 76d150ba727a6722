"""A province after the 2025 reform (issue 17): communes, wards and a special zone overseen by the province, its
agencies as `co_quan`, no district. Its registry is built here; its documents must speak of the province."""

from __future__ import annotations

import csv
import datetime as dt
import random
import re
from pathlib import Path

import pytest

from cchc_analysis.inputs.units import Registry

from conftest import run_cli

COMMUNES = [("xa", f"xã {n}") for n in ("Yên Phong", "Tam Giang", "Đông Tiến", "Hòa Long", "Văn Môn", "Tiên Du")]
WARDS = [("phuong", f"phường {n}") for n in ("Kinh Bắc", "Võ Cường", "Đại Phúc", "Từ Sơn", "Đồng Nguyên")]
AGENCIES = ["Sở Tài chính", "Sở Nội vụ", "Sở Tư pháp", "Sở Xây dựng", "Sở Y tế", "Thanh tra tỉnh"]


def province(folder: Path) -> Path:
    """A workspace holding the registry of «Tỉnh Kinh Bắc» (a made-up province, from 1 July 2025) and the
    statistics of its first three months."""
    assert run_cli("init", str(folder)).returncode == 0
    units = [("tinh-kinh-bac", "UBND tỉnh Kinh Bắc", "tỉnh Kinh Bắc", "tinh", "")]
    units += [(f"co-quan-{i}", name, name, "co_quan", "tinh-kinh-bac") for i, name in enumerate(AGENCIES)]
    units += [
        (f"dv-{i}", f"UBND {name}", name.split(" ", 1)[1], kind, "tinh-kinh-bac")
        for i, (kind, name) in enumerate(COMMUNES + WARDS)
    ]
    units.append(("dac-khu-van-don", "UBND đặc khu Vân Đồn", "Vân Đồn", "dac_khu", "tinh-kinh-bac"))
    with (folder / "params" / "units" / "kinh-bac.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "name", "short_name", "kind", "parent", "valid_from", "valid_to", "aliases"])
        w.writerows([*u, "2025-07-01", "", ""] for u in units)
    rng = random.Random(7)
    heads = [
        "ky",
        "don_vi",
        "tiep_nhan",
        "so_hoa_tiep_nhan",
        "ket_qua",
        "so_hoa_ket_qua",
        "co_phi",
        "thanh_toan_truc_tuyen",
        "chung_thuc_dien_tu",
    ]
    for month in ("2025-07", "2025-08", "2025-09"):
        with (folder / f"so-lieu-{month}.csv").open("w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(heads)
            for _, name, *_ in units[1:]:
                n = rng.randint(20, 400)
                done = rng.randint(n // 2, n)
                fee = rng.randint(0, n // 2)
                w.writerow(
                    [
                        month,
                        name,
                        n,
                        rng.randint(int(n * 0.8), n),
                        done,
                        rng.randint(int(done * 0.8), done),
                        fee,
                        rng.randint(0, fee),
                        rng.randint(0, 3),
                    ]
                )
    return folder


@pytest.mark.e2e
@pytest.mark.e2e
def test_a_province_letter_speaks_of_the_province(tmp_path):
    ws = province(tmp_path / "ws")
    files = [str(ws / f"so-lieu-2025-0{m}.csv") for m in (7, 8, 9)]
    assert run_cli("ingest", *files, "--area", "kinh-bac", cwd=ws).returncode == 0
    res = run_cli("run", "monthly", "2025-09", "--area", "kinh-bac", "--quiet", cwd=ws)
    assert res.returncode == 0, res.stderr
    out = ws / "outputs" / "2025-09"
    texts = {
        "notebook": _visible((out / "01_monthly_review.html").read_text(encoding="utf-8")),
        "appendix": _visible((out / "phu-luc-2025-09.html").read_text(encoding="utf-8")),
        "findings": (out / "findings.csv").read_text(encoding="utf-8-sig"),
    }
    for name, text in texts.items():
        for word in ("huyện", "Huyện", "HUYỆN", "thị trấn", "Tứ Kỳ"):
            assert word not in text, f"{name} says «{word}»"
    assert "bình quân chung của tỉnh" in texts["findings"] or "Toàn tỉnh" in texts["appendix"]
    assert "Toàn tỉnh" in texts["appendix"] and "Các xã, phường, đặc khu" in texts["appendix"]
    assert "Các sở, ban, ngành" in texts["appendix"]
    assert "(Kèm theo văn bản số" in texts["appendix"] and "của UBND tỉnh Kinh Bắc)" in texts["appendix"]
    import docx

    letter = "\n".join(p.text for p in docx.Document(str(out / "cong-van-2025-09.docx")).paragraphs)
    assert "huyện" not in letter and "thị trấn" not in letter
    assert (
        "Chủ tịch UBND các xã, phường, đặc khu" in letter and "Thủ trưởng các sở, ban, ngành thuộc UBND tỉnh" in letter
    )


def _visible(html: str) -> str:
    """The page's words as a reader sees them, one space between them."""
    return " ".join(re.sub(r"<[^>]+>", " ", re.sub(r"(?s)<(script|style)\b.*?</\1>", " ", html)).split())


def test_names_with_province_and_city_words_match(tmp_path):
    from cchc_analysis.inputs.units import MatchError, Registry

    ws = province(tmp_path / "ws")
    registry = Registry.load("kinh-bac", ws / "params" / "units" / "kinh-bac.csv")
    assert registry.match("Sở Tài chính tỉnh").id == "co-quan-0"
    assert registry.match("Sở Y tế tỉnh", dt.date(2025, 9, 1)).id == "co-quan-4"
    assert registry.match("UBND phường Từ Sơn").kind == "phuong"
    with pytest.raises(MatchError, match="chưa có hiệu lực"):
        registry.match("UBND xã Yên Phong", dt.date(2025, 6, 1), dt.date(2025, 6, 30))
    words = registry.words()
    assert (words.area, words.name, words.communes, words.departments) == (
        "tỉnh",
        "tỉnh Kinh Bắc",
        "xã, phường, đặc khu",
        "sở, ban, ngành",
    )


def test_two_areas_share_one_store(tmp_path):
    ws = province(tmp_path / "ws")
    units = (ws / "params" / "units" / "kinh-bac.csv").read_text(encoding="utf-8")
    (ws / "params" / "units" / "kinh-nam.csv").write_text(
        units.replace("Kinh Bắc", "Kinh Nam")
        .replace("co-quan-", "kn-co-quan-")
        .replace("dv-", "kn-dv-")
        .replace("tinh-kinh-bac", "tinh-kinh-nam"),
        encoding="utf-8",
    )
    data = (ws / "so-lieu-2025-09.csv").read_text(encoding="utf-8")
    (ws / "nam-2025-09.csv").write_text(data.replace("Kinh Bắc", "Kinh Nam"), encoding="utf-8")
    assert run_cli("ingest", str(ws / "so-lieu-2025-09.csv"), "--area", "kinh-bac", cwd=ws).returncode == 0
    assert run_cli("ingest", str(ws / "nam-2025-09.csv"), "--area", "kinh-nam", cwd=ws).returncode == 0
    # a province's first month after the reform: its communes exist from 1 July, so July and August are missing
    refused = run_cli("issue", "2025-09", "--area", "kinh-bac", cwd=ws)
    assert refused.returncode == 1 and "thiếu số liệu tháng 7, 8/2025" in refused.stderr
    for area in ("kinh-bac", "kinh-nam"):
        res = run_cli("issue", "2025-09", "--area", area, "--allow-partial", cwd=ws)
        assert res.returncode == 0, res.stderr
        assert "đã ghi nhận" in res.stdout and "trước đó" not in res.stdout  # each area's own letter
    again = run_cli("issue", "2025-09", "--area", "kinh-nam", "--allow-partial", cwd=ws)
    assert again.returncode == 0 and "trước đó với cùng nội dung" in again.stdout


def test_a_large_area_lists_its_communes_by_kind():
    import polars as pl

    from cchc_analysis.core.params import load_params
    from cchc_analysis.documents.annexes import LARGE_AREA, _groups

    params = load_params().model_copy(
        update={"area_name": "tỉnh", "communes": "xã, phường, đặc khu", "departments": "sở, ban, ngành"}
    )
    kinds = ["co_quan"] * 10 + ["xa"] * 80 + ["phuong"] * 30 + ["dac_khu"]
    table = pl.DataFrame(
        {"unit_kind": kinds, "scope": ["departments" if k == "co_quan" else "commune_level" for k in kinds]}
    )
    assert table.height >= LARGE_AREA
    registry = Registry("tinh", [])
    labels = [label for _, label, rule in _groups(table, params, registry) if table.filter(rule).height]
    assert labels == ["Các sở, ban, ngành", "Các xã", "Các phường", "Các đặc khu"]
    small = table.head(40)  # a district-sized table keeps the letters' two groups
    assert [label for _, label, _ in _groups(small, params, registry)] == [
        "Các sở, ban, ngành",
        "Các xã, phường, đặc khu",
    ]


def test_check_report_holds_a_provinces_figures_against_its_store(tmp_path):
    ws = province(tmp_path / "ws")
    assert run_cli("ingest", str(ws / "so-lieu-2025-09.csv"), "--area", "kinh-bac", cwd=ws).returncode == 0
    with (ws / "so-lieu-2025-09.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    rate = sum(int(r["so_hoa_tiep_nhan"]) for r in rows) / sum(int(r["tiep_nhan"]) for r in rows) * 100
    right = f"{rate:.2f}".replace(".", ",")
    wrong = f"{rate + 1:.2f}".replace(".", ",")
    draft = ws / "du-thao.txt"
    draft.write_text(f"Tỷ lệ số hóa đầy đủ thành phần hồ sơ khi tiếp nhận toàn tỉnh đạt {right}%.\n", encoding="utf-8")
    args = (
        "check-report",
        str(draft),
        "--store",
        str(ws / "data" / "cchc.duckdb"),
        "--period",
        "2025-09",
        "--area",
        "kinh-bac",
    )
    ok = run_cli(*args, cwd=ws)
    assert ok.returncode == 0 and "1 số liệu trong kho" in ok.stdout, ok.stdout
    draft.write_text(f"Tỷ lệ số hóa đầy đủ thành phần hồ sơ khi tiếp nhận toàn tỉnh đạt {wrong}%.\n", encoding="utf-8")
    bad = run_cli(*args, cwd=ws)
    assert (
        bad.returncode == 1 and f"toàn tỉnh {wrong}%" in bad.stdout and f"{right}% theo số liệu trong kho" in bad.stdout
    )


def test_a_period_file_belongs_to_its_area(tmp_path, monkeypatch):
    from cchc_analysis.core.params import load_params
    from cchc_analysis.core.periods import Month

    ws = province(tmp_path / "ws")
    (ws / "params" / "2025-09.yaml").write_text("document: {number: 99/UBND-NV}\n", encoding="utf-8")
    (ws / "params" / "areas" / "kinh-bac").mkdir(parents=True)
    (ws / "params" / "areas" / "kinh-bac" / "2025-09.yaml").write_text(
        "document: {number: 15/UBND-VP}\n", encoding="utf-8"
    )
    monkeypatch.chdir(ws)
    assert load_params(Month(2025, 9)).document.number == "99/UBND-NV"  # the workspace's own area (tu-ky)
    assert load_params(Month(2025, 9), area="kinh-bac").document.number == "15/UBND-VP"
    assert load_params(Month(2025, 10), area="kinh-bac").document.number is None


def test_a_province_before_2025_lists_communes_under_their_districts(tmp_path, monkeypatch):
    import polars as pl

    from cchc_analysis.core.params import load_params
    from cchc_analysis.documents.annexes import _groups

    ws = tmp_path / "ws"
    assert run_cli("init", str(ws)).returncode == 0
    rows = [
        ("tinh-a", "UBND tỉnh A", "tỉnh A", "tinh", ""),
        ("h1", "UBND huyện Gia Lộc", "huyện Gia Lộc", "huyen", "tinh-a"),
        ("h2", "UBND thị xã Kinh Môn", "thị xã Kinh Môn", "thi_xa", "tinh-a"),
        ("s1", "Sở Nội vụ", "Sở Nội vụ", "co_quan", "tinh-a"),
        ("x1", "UBND xã Yết Kiêu", "Yết Kiêu", "xa", "h1"),
        ("x2", "UBND phường An Lưu", "An Lưu", "phuong", "h2"),
        ("x3", "UBND xã Thống Nhất", "Thống Nhất", "xa", "h1"),
    ]
    with (ws / "params" / "units" / "tinh-a.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "name", "short_name", "kind", "parent", "valid_from", "valid_to", "aliases"])
        w.writerows([*r, "", "", ""] for r in rows)
    monkeypatch.chdir(ws)
    registry = Registry.load("tinh-a")
    params = load_params(area="tinh-a").with_area_words(registry.words())
    assert params.area_name == "tỉnh" and params.document.issuer == "UBND tỉnh A"
    table = pl.DataFrame(
        {
            "unit_id": ["s1", "x1", "x2", "x3"],
            "unit_kind": ["co_quan", "xa", "phuong", "xa"],
            "scope": ["departments", "commune_level", "commune_level", "commune_level"],
        }
    )
    groups = [(label, table.filter(rule)["unit_id"].to_list()) for _, label, rule in _groups(table, params, registry)]
    assert groups == [("Các sở, ban, ngành", ["s1"]), ("Huyện Gia Lộc", ["x1", "x3"]), ("Thị xã Kinh Môn", ["x2"])]
