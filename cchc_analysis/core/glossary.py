"""Every user-facing Vietnamese label, keyed by the English name used in code. Typed once, here."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    """A column of the canonical unit-month input."""

    name: str
    header: str  # the Vietnamese header written in templates
    meaning: str  # explanation for the template's instruction sheet
    required: bool = False
    kind: str = "count"  # "count", "month" or "text"


COLUMNS: tuple[Column, ...] = (
    Column("ky", "Kỳ báo cáo", "Tháng báo cáo, dạng 2023-08, 08/2023 hoặc 8/2023", True, "month"),
    Column("don_vi", "Đơn vị", "Tên đơn vị (xã, phường, cơ quan …) như thường viết", True, "text"),
    Column("tiep_nhan", "Tiếp nhận trong kỳ", "Số hồ sơ tiếp nhận mới trong tháng", True),
    Column(
        "phai_so_hoa_tiep_nhan",
        "Hồ sơ phải số hóa khi tiếp nhận",
        "Số hồ sơ phải số hóa khi tiếp nhận; để trống cột này thì lấy bằng «Tiếp nhận trong kỳ»",
    ),
    Column(
        "so_hoa_tiep_nhan",
        "Số hóa đầy đủ thành phần hồ sơ",
        "Số hồ sơ được số hóa đầy đủ thành phần khi tiếp nhận",
        True,
    ),
    Column("ket_qua", "Kết quả phải số hóa", "Số kết quả giải quyết TTHC phải số hóa", True),
    Column("so_hoa_ket_qua", "Số hóa kết quả", "Số kết quả giải quyết TTHC đã được số hóa", True),
    Column("co_phi", "Hồ sơ có phí, lệ phí", "Số hồ sơ có phát sinh phí, lệ phí (khác 0)", True),
    Column(
        "thanh_toan_truc_tuyen",
        "Thanh toán trực tuyến",
        "Trong số hồ sơ có phí, lệ phí: số hồ sơ đã thanh toán trực tuyến",
        True,
    ),
    Column("ky_truoc_chuyen_sang", "Kỳ trước chuyển sang", "Số hồ sơ kỳ trước chuyển sang (không bắt buộc)"),
    Column(
        "phai_truc_tuyen",
        "Hồ sơ phải xử lý trực tuyến",
        "Số hồ sơ thuộc diện phải tiếp nhận, xử lý trực tuyến (không bắt buộc)",
    ),
    Column(
        "truc_tuyen",
        "Hồ sơ trực tuyến",
        "Số hồ sơ tiếp nhận, giải quyết trực tuyến toàn trình và một phần (không bắt buộc)",
    ),
    Column("dung_han", "Giải quyết trước và đúng hạn", "Số hồ sơ giải quyết trước và đúng hạn (không bắt buộc)"),
    Column("qua_han", "Giải quyết quá hạn", "Số hồ sơ giải quyết quá hạn (không bắt buộc)"),
    Column("dang_giai_quyet", "Đang giải quyết", "Số hồ sơ đang giải quyết cuối tháng (không bắt buộc)"),
    Column("tam_dung", "Tạm dừng", "Số hồ sơ đang tạm dừng cuối tháng (không bắt buộc)"),
    Column("tra_lai", "Trả lại", "Số hồ sơ trả lại trong tháng (không bắt buộc)"),
    Column("huy", "Hủy", "Số hồ sơ đã hủy trong tháng (không bắt buộc)"),
    Column(
        "chung_thuc_dien_tu",
        "Chứng thực điện tử",
        "Số bản sao chứng thực điện tử từ bản chính đã cấp trong tháng (không bắt buộc)",
    ),
    Column(
        "tai_su_dung",
        "Khai thác, sử dụng lại dữ liệu",
        "Số hồ sơ có khai thác, sử dụng lại dữ liệu đã số hóa (không bắt buộc)",
    ),
)

COLUMNS_BY_NAME: dict[str, Column] = {c.name: c for c in COLUMNS}
COUNT_COLUMNS: tuple[str, ...] = tuple(c.name for c in COLUMNS if c.kind == "count")
REQUIRED_COLUMNS: tuple[str, ...] = tuple(c.name for c in COLUMNS if c.required)

# numerator → denominator: a numerator above its denominator is rejected.
RATIO_PAIRS: tuple[tuple[str, str], ...] = (
    ("so_hoa_tiep_nhan", "phai_so_hoa_tiep_nhan"),
    ("so_hoa_ket_qua", "ket_qua"),
    ("thanh_toan_truc_tuyen", "co_phi"),
    ("truc_tuyen", "phai_truc_tuyen"),
)


UNIT_KINDS: dict[str, str] = {
    "xa": "xã",
    "thi_tran": "thị trấn",
    "phuong": "phường",
    "dac_khu": "đặc khu",
    "phong_ban": "cơ quan chuyên môn",
    "co_quan": "cơ quan",
    "huyen": "huyện",
    "thi_xa": "thị xã",
    "thanh_pho": "thành phố",
    "tinh": "tỉnh",
}
# How a letter names the groups of units present, in this order: "xã, phường, đặc khu"; "cơ quan chuyên môn".
COMMUNE_WORDS: tuple[str, ...] = ("xa", "phuong", "thi_tran", "dac_khu")
DEPARTMENT_WORDS: dict[str, str] = {"phong_ban": "cơ quan chuyên môn", "co_quan": "sở, ban, ngành"}
COMMUNE_LEVEL_KINDS: frozenset[str] = frozenset({"xa", "thi_tran", "phuong", "dac_khu"})
# The area itself (a district's or province's People's Committee): it has a CCHC score of its own but no
# monthly statistics (its desk's figures are its departments').
AREA_KINDS: frozenset[str] = frozenset({"huyen", "thi_xa", "thanh_pho", "tinh"})

# Words of the CLI's summaries and the tables' shared headers (appendices, anomalies, CSVs).
LABELS: dict[str, str] = {
    "stt": "STT",
    "month": "Tháng",
    "unit": "Đơn vị",
    "indicator": "Chỉ tiêu",
    "value": "Giá trị",
    "rate": "Tỷ lệ",
    "rank": "Xếp hạng",
    "verdict": "Đánh giá",
    "severity": "Mức độ",
    "check": "Kiểm tra",
    "evidence": "Căn cứ",
    "threshold": "Ngưỡng",
    "previous": "Giá trị trước",
    "z_own": "z so với lịch sử đơn vị",
    "z_peer": "z so với các đơn vị khác",
    "numerator": "Tử số",
    "denominator": "Mẫu số",
    "units": "Số đơn vị",
    "rows": "Số dòng số liệu",
    "current_rows": "Dòng đang dùng",
    "superseded_rows": "Dòng đã được thay thế",
    "files": "Tệp đã nhập",
    "store": "Kho dữ liệu",
    "commune_level": "Cấp xã",
    "departments": "Cơ quan chuyên môn",
    "superseded_at": "Thời điểm thay thế",
    "source_file": "Tệp nguồn",
    "replaced_by_file": "Thay bằng tệp",
    "instructions_sheet": "huong_dan",
    "data_sheet": "so_lieu",
    "column": "Cột",
    "header": "Tiêu đề cột",
    "required": "Bắt buộc",
    "meaning": "Ý nghĩa",
    "yes": "Có",
    "no": "Không",
}

# Indicators as the letters name them ("tỷ lệ … đạt 96,65%").
INDICATOR_LABELS: dict[str, str] = {
    "digitized_input": "tỷ lệ số hóa đầy đủ thành phần hồ sơ khi tiếp nhận",
    "digitized_output": "tỷ lệ số hóa kết quả giải quyết TTHC",
    "online_payment": "tỷ lệ hồ sơ thanh toán trực tuyến",
    "online": "tỷ lệ hồ sơ tiếp nhận, giải quyết trực tuyến toàn trình và một phần",
    "on_time": "tỷ lệ hồ sơ giải quyết trước và đúng hạn",
    "e_cert": "chứng thực bản sao điện tử từ bản chính",
    "digitization": "tỷ lệ số hóa đầy đủ thành phần hồ sơ khi tiếp nhận và số hóa kết quả giải quyết TTHC",
    "all_three": "tỷ lệ số hóa hồ sơ khi tiếp nhận, số hóa kết quả và thanh toán trực tuyến",
}
FINDING_KINDS: dict[str, str] = {"commend": "Biểu dương", "remind": "Nhắc nhở", "escalate": "Nhắc nhở, phê bình"}

# Sections of the monthly letter, in the order the letters (seeds 000, 002) write them.
SECTION_LABELS: dict[str, str] = {
    "commend": "Biểu dương các cơ quan, đơn vị",
    "remind": "Nhắc nhở các cơ quan, đơn vị có kết quả thấp",
    "remind_digitized_input": "Về tỷ lệ số hóa đầy đủ thành phần hồ sơ TTHC khi tiếp nhận",
    "remind_digitized_output": "Về tỷ lệ số hóa kết quả giải quyết TTHC",
    "remind_online_payment": "Về thanh toán trực tuyến",
    "remind_e_cert": "Về chứng thực bản sao điện tử từ bản chính",
}
# Pooled rates, by unit scope (commune_level, departments, all); "{area}" is the area's word, e.g. "huyện".
SCOPE_LABELS: dict[str, str] = {
    "all": "Toàn {area}",
    "commune_level": "Các {communes}",
    "departments": "Các {departments}",
}
# The one-stop desks, as the semi-annual annexes head their groups.
DESK_LABELS: dict[str, str] = {
    "departments": "Bộ phận Một cửa cấp {area} (các {departments})",
    "commune_level": "Bộ phận Một cửa cấp xã",
}
# The data-quality checks of cchc anomalies.
CHECK_LABELS: dict[str, str] = {
    "sudden_change": "Thay đổi đột ngột",
    "perfection": "100% nhiều tháng trên rất ít hồ sơ",
    "missing_month": "Thiếu số liệu tháng",
    "unbalanced": "Số liệu không cân đối",
    "carry_over": "Chuyển kỳ không khớp",
    "area_total": "Tổng không khớp số đã công bố",
    "no_dossiers": "Không có hồ sơ",
    "late_correction": "Số liệu tháng trước bị sửa",
    "window_fell": "Lũy kế giảm dù từng tháng tăng",
}
# How cchc check-report names the figures a draft states (its messages quote them back).
STATED_LABELS: dict[str | None, str] = {
    "online_payment": "tỷ lệ thanh toán trực tuyến",
    "digitized_output": "tỷ lệ số hóa kết quả",
    "digitized_input": "tỷ lệ số hóa đầy đủ thành phần hồ sơ",
    "on_time": "tỷ lệ giải quyết trước và đúng hạn",
    "online": "tỷ lệ hồ sơ trực tuyến",
    "late": "hồ sơ quá hạn",
    None: "tỷ lệ",
}
STATED_SCOPE_LABELS: dict[str | None, str] = {
    "commune_level": "cấp xã",
    "district_desk": "cấp huyện",
    "province": "toàn tỉnh",
    None: "không rõ phạm vi",
}
# Short names for table headers and flags.
INDICATOR_SHORT: dict[str, str] = {
    "digitized_input": "số hóa khi tiếp nhận",
    "digitized_output": "số hóa kết quả",
    "online_payment": "thanh toán trực tuyến",
    "online": "trực tuyến",
    "on_time": "đúng hạn",
    "e_cert": "chứng thực điện tử",
    "digitization": "số hóa",
    "all_three": "số hóa và thanh toán",
}


@dataclass(frozen=True)
class AreaWords:
    """How documents name an area and its groups of units, read from its registry's kinds (``Registry.words``)."""

    area: str | None  # "tỉnh", "huyện" (None: the registry lists no unit for the area itself)
    name: str | None  # "tỉnh Bắc Ninh"
    communes: str  # "xã, phường, đặc khu"
    departments: str  # "cơ quan chuyên môn"; "sở, ban, ngành"
