"""The letter's body in the seeds' voice (issue 29), on a month built here for the purpose: units in the same
situation grouped with their count, each situation with its request, the unit falling again singled out, no unit
commended for what it is reminded about, every bullet a sentence, every sentence traced to its findings."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

import pytest

from cchc_analysis.core.exceptions import UsageError
from cchc_analysis.core.params import load_params
from cchc_analysis.core.periods import Month
from cchc_analysis.documents.letter import build_letter
from cchc_analysis.documents.monthly import review_from_frame
from cchc_analysis.inputs.units import Registry

from conftest import frame

# digitization at reception, January to May, of 100 dossiers a month; results all digitized
INPUT = {
    "an-thanh": (90, 90, 90, 80, 85),  # rose, still below the average
    "binh-lang": (90, 90, 90, 82, 86),  # rose
    "chi-minh": (90, 90, 90, 84, 87),  # rose
    "dai-hop": (90, 94, 95, 92, 88),  # fell in April and again in May: the second month running
    "dai-son": (90, 90, 98, 99, 89),  # fell for the first time
    "ha-ky": (100, 100, 100, 100, 100),
    "ha-thanh": (100, 100, 100, 100, 100),
    "hung-dao": (60, 60, 60, 60, 100),  # a full May after a poor year: reminded, so not commended
}


def month_frame(months: dict[str, tuple[int, ...]]):
    rows = []
    for unit, values in months.items():
        for m, n in enumerate(values, start=1):
            rows.append(
                {
                    "unit_id": unit,
                    "unit_kind": "xa",
                    "month": dt.date(2023, m, 1),
                    "so_hoa_tiep_nhan": n,
                    "phai_so_hoa_tiep_nhan": 100,
                    "so_hoa_ket_qua": 100,
                    "ket_qua": 100,
                    "chung_thuc_dien_tu": 1,
                }
            )
    return frame(rows)


def letter_of(months: dict[str, tuple[int, ...]] | None = None, **document):
    registry = Registry.load("tu-ky")
    params = load_params().with_area_words(registry.words())
    params = params.model_copy(update={"document": params.document.model_copy(update=document)})
    review = review_from_frame(month_frame(months or INPUT), Month(2023, 5), params, registry)
    return build_letter(review), review


def lines(letter):
    return [(part.number, line) for part in letter.parts for line in part.lines]


def section(letter, title: str):
    return next(p for p in letter.parts if p.title.startswith(title))


def test_units_in_the_same_situation_form_one_sentence_with_their_count():
    letter, _ = letter_of()
    text = [f"{line.mark} {line.text}".strip() for line in section(letter, "Về tỷ lệ số hóa đầy đủ").lines]
    # May average at reception: (85 + 86 + 87 + 88 + 89 + 100 + 100 + 100) / 800 = 91,875%
    assert text[0] == (
        "- Có 03 địa phương mặc dù kết quả tăng so với tháng 4/2023, nhưng vẫn thấp hơn mức bình quân chung của "
        "huyện, gồm:"
    )
    assert text[1] == (
        "+ UBND xã An Thanh (85%), tăng 5% so với tháng 4/2023, nhưng vẫn thấp hơn 6,88% mức bình quân chung của huyện."
    )
    assert [t[:18] for t in text[1:4]] == ["+ UBND xã An Thanh", "+ UBND xã Bình Lãn", "+ UBND xã Chí Minh"]
    assert text[4].startswith("Đề nghị Chủ tịch UBND các xã An Thanh, Bình Lãng và Chí Minh cần tiếp tục")
    # the unit falling for the first time, in its own sentence with a verb, and its own request
    assert text[5] == (
        "- UBND xã Đại Sơn có tỷ lệ số hóa đầy đủ thành phần hồ sơ khi tiếp nhận trong tháng 5/2023 đạt 89%, giảm "
        "10% so với tháng 4/2023 và thấp hơn 2,88% mức bình quân chung của huyện."
    )
    assert text[6].startswith("Đề nghị Chủ tịch UBND xã Đại Sơn")
    # falling again (March 95 → April 92 → May 88): singled out, with the stronger request
    assert text[7].startswith("- Riêng UBND xã Đại Hợp (88%) tiếp tục có kết quả giảm so với tháng 4/2023 (giảm 4%)")
    assert "đây là tháng thứ 2 liên tiếp UBND xã Đại Hợp có kết quả giảm" in text[7]
    assert text[8].startswith("Đề nghị Chủ tịch UBND xã Đại Hợp có giải pháp chỉ đạo quyết liệt")
    # a good May after a poor year: (4 × 60 + 100) / 500 = 68%
    assert text[9] == (
        "- UBND xã Hưng Đạo mặc dù có tỷ lệ số hóa đầy đủ thành phần hồ sơ khi tiếp nhận trong tháng 5/2023 đạt "
        "100%; tuy nhiên kết quả này trong 5 tháng đầu năm 2023 chỉ đạt 68%."
    )
    assert text[10].startswith("Yêu cầu trong các tháng cuối năm 2023, UBND xã Hưng Đạo cần duy trì")
    assert "tháng thứ" not in " ".join(text[:7])  # "liên tiếp" only where the store shows it


def test_no_unit_is_commended_for_what_the_letter_reminds_it_about():
    letter, review = letter_of()
    commended = " ".join(line.text for line in section(letter, "Biểu dương").lines)
    # Hưng Đạo reached 100% on both rates in May, but the same letter reminds it about reception
    assert "Hưng Đạo" not in commended
    assert "02 UBND xã có tỷ lệ số hóa đầy đủ thành phần hồ sơ khi tiếp nhận và số hóa kết quả" in commended
    assert "gồm: UBND xã Hà Kỳ (100/100 hồ sơ); UBND xã Hà Thanh (100/100 hồ sơ)." in commended
    # the same holds over every unit and indicator of the letter
    said: dict[str, set[tuple[str, str]]] = {}
    for number, line in lines(letter):
        for key in line.findings:
            rule, indicator, unit = key.split(":")
            kind = "commend" if number == "1" else "other"
            for ind in ("digitized_input", "digitized_output") if indicator == "digitization" else (indicator,):
                said.setdefault(unit, set()).add((kind, ind))
    for unit, pairs in said.items():
        both = {i for k, i in pairs if k == "commend"} & {i for k, i in pairs if k == "other"}
        assert not both, (unit, both)
    assert review.findings.height


VERB = re.compile(r"\b(có|đạt|tăng|giảm|chưa thực hiện|Đề nghị|Yêu cầu|là|thấp hơn)\b")


def test_every_bullet_is_a_sentence_and_every_sentence_is_traced():
    letter, review = letter_of()
    keys = {f"{r['rule']}:{r['indicator']}:{r['unit_id']}" for r in review.findings.iter_rows(named=True)}
    for _, line in lines(letter):
        assert VERB.search(line.text), line.text
        assert line.text.endswith((".", ":")), line.text
        assert set(line.findings) <= keys
    traced = {k for item in letter.trace() for k in item["findings"]}  # type: ignore[union-attr]
    assert traced == keys  # every finding is said somewhere, and nothing else is


def test_a_reason_the_office_adds_names_a_unit_of_the_registry():
    with pytest.raises(UsageError, match="document.reasons: không có đơn vị «Xã Không Có»"):
        letter_of(reasons={"Xã Không Có": "chưa đăng tin"})


def test_standing_text_from_params_and_never_a_sample_value():
    letter, _ = letter_of(standing="huyện vẫn xếp ở thứ hạng chưa cao", assessment=("Tuy nhiên, còn chậm.",))
    assert letter.opening[0].endswith("; huyện vẫn xếp ở thứ hạng chưa cao.")
    assert letter.opening[1] == "Tuy nhiên, còn chậm."
    plain, _ = letter_of()
    body = " ".join([*plain.opening, *(line.text for _, line in lines(plain))])
    for sample in ("70/TB-VP", "7/7 lĩnh vực", "thứ hạng", "Vũ Thị Hà", "đăng tải tin bài"):
        assert sample not in body
    # the standing online-payment requests of the area (no unit named on payment this month)
    payment = section(plain, "Về thanh toán trực tuyến")
    assert payment.lines[0].text.startswith("Đề nghị các cơ quan, đơn vị có phát sinh phí, lệ phí")
    # no criticism this month: the standing requirements of the year's last months wait for one
    assert not any(p.title.startswith("Chủ tịch UBND huyện giao") for p in plain.parts)
    always, _ = letter_of(requirements_when="always")
    assert any(p.title.startswith("Chủ tịch UBND huyện giao") for p in always.parts)
    assert always.closing.endswith("nghiêm túc thực hiện./.")


def test_the_heading_never_guesses_a_number_or_a_date():
    letter, _ = letter_of()
    assert letter.heading.number == "Số: …/UBND-NV"
    assert dataclasses.asdict(letter.signer)["name"] == "…"


def test_figures_are_rounded_as_offices_round():
    from cchc_analysis.core.formatting import letter_percent, letter_pp, percent

    # 735/800 = 91,875% and 85% → a gap of exactly 6,875 points: half away from zero, whatever the float says
    assert letter_pp((735 / 800 - 0.85) * 100) == "6,88%"
    assert letter_pp(-1.005) == "1,01%" and letter_percent(0.80195) == "80,2%"
    assert percent(1999 / 2000) == "99,95%" and percent(0.99935) == "99,94%"


def test_several_units_in_a_situation_share_one_sentence_and_riêng_follows_a_group():
    """Two units falling again, and two with a full month after a poor year: each pair one sentence with its
    count; "Riêng" only after a group it sets the unit apart from."""
    months = {
        **{k: v for k, v in INPUT.items() if k not in ("an-thanh", "binh-lang", "chi-minh", "dai-son")},
        "an-thanh": (90, 94, 95, 92, 88),  # falling again, like Đại Hợp
        "binh-lang": (60, 60, 60, 60, 100),  # a full May after a poor year, like Hưng Đạo
    }
    letter, _ = letter_of(months)
    text = [f"{line.mark} {line.text}".strip() for line in section(letter, "Về tỷ lệ số hóa đầy đủ").lines]
    assert text[0].startswith("- Có 02 địa phương tiếp tục có kết quả giảm so với tháng 4/2023"), text
    assert text[1].startswith("+ UBND xã An Thanh (88%), giảm 4% so với tháng 4/2023")
    assert "đây là tháng thứ 2 liên tiếp" in text[1] and "Riêng" not in " ".join(text)
    window = next(i for i, t in enumerate(text) if "mặc dù" in t)
    assert text[window].startswith("- Có 02 địa phương mặc dù có tỷ lệ số hóa đầy đủ thành phần hồ sơ khi tiếp nhận")
    assert text[window + 1] == "+ UBND xã Bình Lãng: tháng 5/2023 đạt 100%, 5 tháng đầu năm 2023 chỉ đạt 68%."


def test_a_reason_for_a_unit_the_letter_does_not_sanction_is_said_to_the_analyst():
    letter, _ = letter_of(reasons={"Hà Kỳ": "chưa đăng tin đầy đủ"})  # Hà Kỳ is commended, not sanctioned
    assert letter.warnings and "Hà Kỳ" in letter.warnings[0] and "không được in" in letter.warnings[0]
    assert "chưa đăng tin" not in " ".join(line.text for _, line in lines(letter))


def test_a_template_that_drops_part_of_the_draft_stops(tmp_path):
    """A Word template restyled from an older version that no longer prints a part of the draft (the report's
    field estimates, say) stops with one line naming that part, instead of a draft that silently lacks it."""
    from cchc_analysis.core.exceptions import CchcError
    from cchc_analysis.render import write_template

    letter, _ = letter_of()
    write_template("cong-van.docx", vars(letter), tmp_path / "a.docx", letter.texts())  # the shipped one prints all
    with pytest.raises(CchcError, match="không in phần «Câu không có trong mẫu»"):
        write_template("cong-van.docx", vars(letter), tmp_path / "b.docx", [*letter.texts(), "Câu không có trong mẫu"])
    assert not (tmp_path / "b.docx").exists()


def test_a_large_area_names_the_furthest_behind_and_counts_the_rest():
    """Issue 30: above ``document.named_max`` a group names that many units (the furthest behind first), counts
    the others with a pointer to the appendix, and its request speaks to the group; every finding still traced."""
    letter, review = letter_of(named_max=2)
    text = [f"{line.mark} {line.text}".strip() for line in section(letter, "Về tỷ lệ số hóa đầy đủ").lines]
    assert text[0].startswith("- Có 03 địa phương mặc dù kết quả tăng")  # the count is the whole group's
    # the two lowest of 85%, 86%, 87% are named; Chí Minh (87%) is counted
    assert text[1].startswith("+ UBND xã An Thanh (85%)") and text[2].startswith("+ UBND xã Bình Lãng (86%)")
    assert text[3] == "+ Còn 1 địa phương khác có cùng tình trạng, chi tiết tại Phụ lục I."
    assert text[4].startswith("Đề nghị Chủ tịch UBND các xã, thị trấn nêu trên cần tiếp tục quan tâm chỉ đạo")
    assert "Chí Minh" not in " ".join(text[:5])
    commended = section(letter, "Biểu dương").lines[1].text
    assert commended.endswith("gồm: UBND các xã An Thanh, Bình Lãng và 3 địa phương khác (chi tiết tại Phụ lục I).")
    keys = {f"{r['rule']}:{r['indicator']}:{r['unit_id']}" for r in review.findings.iter_rows(named=True)}
    assert {k for item in letter.trace() for k in item["findings"]} == keys  # type: ignore[union-attr]
    # a district's groups stay whole with the default
    whole, _ = letter_of()
    assert "chi tiết tại Phụ lục I" not in " ".join(line.text for _, line in lines(whole))


def test_a_name_two_communes_share_is_told_apart_by_their_parent():
    """A national letter listed "Bình Hòa, Bình Hòa": the same short name in two provinces."""
    from cchc_analysis.documents.letter import short_names
    from cchc_analysis.inputs.units import Registry, Unit

    def unit(uid, name, short, kind, parent=""):
        return Unit(uid, name, short, kind, parent, None, None, ())

    registry = Registry(
        "ca-nuoc",
        [
            unit("dt", "UBND tỉnh Đồng Tháp", "tỉnh Đồng Tháp", "tinh"),
            unit("ag", "UBND tỉnh An Giang", "tỉnh An Giang", "tinh"),
            unit("bh-dt", "UBND xã Bình Hòa", "Bình Hòa", "xa", "dt"),
            unit("bh-ag", "UBND xã Bình Hòa", "Bình Hòa", "xa", "ag"),
            unit("bh-p", "UBND phường Bình Hòa", "Bình Hòa", "phuong", "ag"),
            unit("tl", "UBND xã Tân Long", "Tân Long", "xa", "ag"),
        ],
    )
    names = short_names(registry)
    assert names["bh-dt"] == "Bình Hòa (tỉnh Đồng Tháp)" and names["bh-ag"] == "Bình Hòa (tỉnh An Giang)"
    assert names["bh-p"] == "Bình Hòa" and names["tl"] == "Tân Long"  # a ward and a commune are told apart already
