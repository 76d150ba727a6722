from __future__ import annotations

import datetime as dt
import unicodedata
from pathlib import Path

import pytest

from cchc_analysis.inputs.units import MatchError, Registry


@pytest.mark.parametrize(
    "written, canonical",
    [
        ("Hung Pao", "UBND xã Hưng Đạo"),  # OCR of seed 002
        ("Pai Son", "UBND xã Đại Sơn"),
        ("Hà Thành", "UBND xã Hà Thanh"),
        ("Bình Lăng", "UBND xã Bình Lãng"),
        ("UBND xã Quảng Nghiệp", "UBND xã Quảng Nghiệp"),
        ("Quang Khải", "UBND xã Quang Khải"),
        ("Xã Hưng Đạo", "UBND xã Hưng Đạo"),
        ("  ubnd   XÃ  hưng đạo ", "UBND xã Hưng Đạo"),
        ("Hung Dao", "UBND xã Hưng Đạo"),  # no diacritics at all, unambiguous
        ("Quang Nghiep", "UBND xã Quảng Nghiệp"),
        ("Phuong Ky", "UBND xã Phượng Kỳ"),  # "phuong" is not stripped as "phường"
        ("thị trấn Tứ Kỳ", "UBND thị trấn Tứ Kỳ"),
        ("TT Tứ Kỳ", "UBND thị trấn Tứ Kỳ"),
        ("Phòng Văn hoá & Thông tin huyện", "Phòng Văn hóa và Thông tin"),  # old tone placement (seed 000)
        ("Văn phòng HĐND&UBND", "Văn phòng HĐND và UBND"),
        ("Tài chính - Kế hoạch", "Phòng Tài chính - Kế hoạch"),
        ("Kinh tế", "Phòng Kinh tế và Hạ tầng"),
    ],
)
def test_names_as_written_match_their_unit(registry, written, canonical):
    assert registry.match(written).name == canonical


def test_nfd_input_matches(registry):
    assert registry.match(unicodedata.normalize("NFD", "UBND xã Tiên Động")).id == "tien-dong"


@pytest.mark.parametrize("written", ["Quảng Khải", "Quang Nghiệp"])
def test_quang_and_quang_with_hook_never_merge(registry, written):
    # Written with diacritics, a name must agree with them: Quảng is never Quang.
    with pytest.raises(MatchError) as exc:
        registry.match(written)
    assert "gần nhất" in str(exc.value)


def test_unknown_name_lists_closest(registry):
    with pytest.raises(MatchError) as exc:
        registry.match("Quang Trungg")
    assert "UBND xã Quang Trung" in str(exc.value)


def _registry(tmp_path: Path, rows: str) -> Registry:
    path = tmp_path / "x.csv"
    path.write_text("id,name,short_name,kind,parent,valid_from,valid_to,aliases\n" + rows, encoding="utf-8")
    return Registry.load("x", path)


def test_diacritic_free_name_is_an_error_where_ambiguous(tmp_path):
    reg = _registry(tmp_path, "a,UBND xã Quang Phục,Quang Phục,xa,p,,,\nb,UBND xã Quảng Phục,Quảng Phục,xa,p,,,\n")
    assert reg.match("Quang Phục").id == "a"
    assert reg.match("Quảng Phục").id == "b"
    with pytest.raises(MatchError, match="không rõ"):
        reg.match("Quang Phuc")


def test_validity_dates_decide_which_unit_a_name_means(tmp_path):
    # 2025 reform: the old commune ends on 30/6, a merged commune of the same name starts on 1/7.
    reg = _registry(
        tmp_path, "old,UBND xã Tứ Kỳ,Tứ Kỳ,xa,huyen,,2025-06-30,\nnew,UBND xã Tứ Kỳ,Tứ Kỳ,xa,tinh,2025-07-01,,\n"
    )
    assert reg.match("Tứ Kỳ", dt.date(2025, 6, 1), dt.date(2025, 6, 30)).id == "old"
    assert reg.match("Tứ Kỳ", dt.date(2025, 8, 1), dt.date(2025, 8, 31)).id == "new"
    with pytest.raises(MatchError, match="không rõ"):
        reg.match("Tứ Kỳ")


def test_registry_size_is_data(tmp_path):
    rows = "".join(f"x{i},UBND xã Số {i},Số {i},xa,tinh,,,\n" for i in range(150))
    reg = _registry(tmp_path, rows)
    assert len(reg.units) == 150
    assert reg.match("Xã Số 149").id == "x149"


def test_shipped_registry_has_23_commune_level_units_12_departments_and_the_district(registry):
    assert sum(u.is_commune_level for u in registry.units) == 23
    assert sum(u.kind == "phong_ban" or u.kind == "co_quan" for u in registry.units) == 12
    assert [u.name for u in registry.units if u.kind == "huyen"] == ["UBND huyện Tứ Kỳ"]


def test_the_district_matches_only_where_the_area_itself_is_meant(registry):
    import pytest as _pytest

    from cchc_analysis.inputs.units import MatchError

    assert registry.match("UBND huyện Tứ Kỳ", area_level=True).id == "huyen-tu-ky"
    assert registry.match("Tứ Kỳ").id == "tt-tu-ky"
    with _pytest.raises(MatchError, match="chính quyền cấp huyện"):
        registry.match("UBND huyện Tứ Kỳ")


def test_ingest_lists_each_name_it_read_otherwise_once(tmp_path):
    from conftest import run_cli

    path = tmp_path / "ten.csv"
    lines = ["ky,don_vi,tiep_nhan,so_hoa_tiep_nhan,ket_qua,so_hoa_ket_qua,co_phi,thanh_toan_truc_tuyen"]
    for month in ("2023-09", "2023-10"):
        for name in ("Tai Son", "Dân Chủ", "ubnd xã đại hợp", "UBND xã Hưng Đạo", "xã Hà Kỳ"):
            lines.append(f"{month},{name},10,9,8,8,2,1")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    res = run_cli("ingest", str(path), "--store", str(tmp_path / "s.duckdb"), "--area", "tu-ky")
    assert res.returncode == 0, res.stderr
    listed = [ln.strip() for ln in res.stdout.splitlines() if "→" in ln]
    assert listed == [
        "Dân Chủ → UBND xã Dân Chủ (tên rút gọn)",
        "Tai Son → UBND xã Tái Sơn (không dấu, tên rút gọn)",
        "ubnd xã đại hợp → UBND xã Đại Hợp (khác chữ hoa, khoảng trắng hoặc vị trí dấu)",
        "xã Hà Kỳ → UBND xã Hà Kỳ (tên rút gọn)",
    ]  # each once, however many months name it; "UBND xã Hưng Đạo" is the registry's own name


@pytest.mark.parametrize(
    ("written", "unit"),
    [
        ("UBND xã Hưng Đạo huyện Tứ Kỳ", "UBND xã Hưng Đạo"),
        ("Phòng Nội vụ huyện Tứ Kỳ", "Phòng Nội vụ"),
        ("UBND xa Tai Son, huyen Tu Ky", "UBND xã Tái Sơn"),
        ("UBND thị trấn Tứ Kỳ", "UBND thị trấn Tứ Kỳ"),  # a commune that bears the district's name stays itself
    ],
)
def test_a_name_followed_by_the_area_is_read_without_it(registry, written, unit):
    from cchc_analysis.inputs.units import Registry

    fresh = Registry(registry.area, registry.units)
    assert fresh.match(written).name == unit
    if written != unit:
        assert fresh.understood[written][0] == unit


def test_another_area_after_a_name_is_not_dropped(registry):
    from cchc_analysis.inputs.units import MatchError

    with pytest.raises(MatchError, match="không có đơn vị"):
        registry.match("UBND xã Hưng Đạo huyện Ninh Giang")
