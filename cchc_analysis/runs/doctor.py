"""`cchc doctor`: is this machine ready, and is the store sound? One line per check, with what to do."""

from __future__ import annotations

import importlib
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from cchc_analysis.core.workspace import store_path as workspace_store

PACKAGES = (
    "polars",
    "duckdb",
    "pyarrow",
    "openpyxl",
    "babel",
    "pydantic",
    "jinja2",
    "papermill",
    "nbconvert",
    "ipykernel",
    "altair",
    "vl_convert",
    "typst",
    "numpy",
    "jupyterlab",
)
_DISTRIBUTION = {"vl_convert": "vl-convert-python"}


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    fix: str = ""


def packages() -> list[Check]:
    out = []
    for name in PACKAGES:
        try:
            importlib.import_module(name)
            out.append(Check(f"thư viện {name}", True, metadata.version(_DISTRIBUTION.get(name, name))))
        except Exception as exc:  # an import can fail in many ways (missing shared library…)
            out.append(
                Check(
                    f"thư viện {name}",
                    False,
                    f"{type(exc).__name__}: {exc}",
                    "cài lại chương trình: pip install cchc-workbook (trong mã nguồn: make test)",
                )
            )
    return out


def pdf_and_font() -> list[Check]:
    from cchc_analysis.render.fonts import FACES, FONT_DIR

    missing = [name for _, _, name in FACES if not (FONT_DIR / name).is_file()]
    checks = [
        Check(
            "phông chữ kèm theo",
            not missing,
            ", ".join(n for _, _, n in FACES) if not missing else f"thiếu {', '.join(missing)}",
            "cài lại gói (pip install -e .) để có thư mục data/fonts",
        )
    ]
    try:
        from pypdf import PdfReader  # noqa: F401 - only to read the test PDF back

        from cchc_analysis.documents.tables import Col, Row, Table
        from cchc_analysis.render import Appendix, Document, write_pdf

        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "thu.pdf"
            table = Table("thu", "Thử", [Col("unit", "Đơn vị")], [Row({"unit": "UBND xã Hưng Đạo – Quảng Nghiệp"})])
            write_pdf(Document("Thử", "(Kèm theo)", [Appendix("Thử tiếng Việt", [table])]), path)
            text = PdfReader(str(path)).pages[0].extract_text()
        ok = "Hưng Đạo – Quảng Nghiệp" in text
        checks.append(
            Check(
                "Typst và chữ tiếng Việt trong PDF",
                ok,
                "PDF thử đọc lại đúng dấu" if ok else "PDF thử thiếu dấu",
                "cài lại gói (pip install -e .) để có typst và thư mục data/fonts",
            )
        )
    except Exception as exc:
        checks.append(
            Check(
                "Typst (tạo PDF)",
                False,
                f"{type(exc).__name__}: {exc}",
                "cài lại gói (pip install -e .) để có typst",
            )
        )
    return checks


def kernel() -> Check:
    try:
        from jupyter_client.kernelspec import get_kernel_spec

        spec = get_kernel_spec("python3")
        argv = [sys.executable if a in ("python", "python3") else a for a in spec.argv[:1]]
        res = subprocess.run(
            [*argv, "-c", "import cchc_analysis, ipykernel"], capture_output=True, text=True, timeout=60
        )
        if res.returncode != 0:
            return Check(
                "nhân Jupyter python3",
                False,
                f"{argv[0]} không nhập được cchc_analysis",
                "cài ipykernel trong .venv: .venv/bin/python -m ipykernel install --sys-prefix",
            )
        return Check("nhân Jupyter python3", True, argv[0])
    except Exception as exc:
        return Check(
            "nhân Jupyter python3", False, f"{type(exc).__name__}: {exc}", ".venv/bin/python -m pip install ipykernel"
        )


def store(path: Path) -> list[Check]:
    from cchc_analysis.store.database import SCHEMA_VERSION, Store

    if not path.exists():
        return [Check("kho dữ liệu", True, f"chưa có {path} (tạo khi nhập số liệu: cchc ingest …)")]
    checks = []
    try:
        with Store.open(path, read_only=True) as st:
            checks.append(
                Check(
                    "phiên bản cấu trúc kho",
                    True,
                    f"{st.version} (phần mềm dùng {SCHEMA_VERSION})"
                    + ("; sẽ nâng cấp ở lần ghi tới" if st.version < SCHEMA_VERSION else ""),
                )
            )
            con = st.con
            dup = con.execute(
                "SELECT count(*) FROM (SELECT unit_id, month FROM unit_month_current GROUP BY 1, 2 HAVING count(*) > 1)"
            ).fetchall()[0][0]
            dangling = con.execute(
                "SELECT count(*) FROM unit_month o WHERE superseded_by IS NOT NULL AND NOT EXISTS "
                "(SELECT 1 FROM unit_month n WHERE n.row_id = o.superseded_by)"
            ).fetchall()[0][0]
            orphans = con.execute(
                "SELECT count(*) FROM unit_month u WHERE NOT EXISTS "
                "(SELECT 1 FROM files f WHERE f.sha256 = u.source_sha256)"
            ).fetchall()[0][0]
            rows = con.execute("SELECT count(*) FROM unit_month").fetchall()[0][0]
        ok = not (dup or dangling or orphans)
        checks.append(
            Check(
                "toàn vẹn kho",
                ok,
                f"{rows} dòng; trùng đơn vị – tháng: {dup}; thay thế mất dấu: "
                f"{dangling}; dòng không rõ tệp nguồn: {orphans}",
                "sao lưu tệp kho rồi báo người phụ trách phần mềm; đừng sửa tay",
            )
        )
    except Exception as exc:
        checks.append(
            Check("kho dữ liệu", False, str(exc), "kiểm tra đường dẫn --store, đóng chương trình đang mở kho")
        )
    return checks


# one check after another, in the order cchc doctor prints them: a list to read, each item a few lines
def workspace_checks(area: str | None = None) -> list[Check]:
    """Where params, the registry, the criteria and the notebooks come from, and whether they are there."""
    from cchc_analysis.core import workspace as ws
    from cchc_analysis.core.exceptions import CchcError

    root = ws.find_workspace()
    checks = [
        Check(
            "thư mục làm việc",
            True,
            str(root)
            if root
            else f"không có (dùng {ws.home() or 'thư mục hiện tại ' + str(ws.base())}); tạo bằng cchc init",
        )
    ]
    found = ws.locate("params/defaults.yaml")
    checks.append(
        Check(
            "tham số mặc định",
            found is not None,
            found[1].label()
            if found
            else "không tìm thấy params/defaults.yaml ở thư mục làm việc, CCHC_HOME hay bản cài đặt",
            "cài lại chương trình (pip install cchc-workbook) hoặc tạo thư mục làm việc: cchc init",
        )
    )
    try:
        from cchc_analysis.core.params import load_params

        params = load_params(area=area)
        registry = ws.units_file(params.area)
        origin = next((s.label() for s in ws.sources() if registry.is_relative_to(s.root)), str(registry))
        checks.append(Check(f"danh mục đơn vị «{params.area_id}»", True, f"{registry} — {origin}"))
    except CchcError as exc:
        checks.append(
            Check(
                "danh mục đơn vị",
                False,
                str(exc),
                "đặt tệp danh mục vào params/units/ của thư mục làm việc, hoặc sửa khóa area trong "
                "params/defaults.yaml",
            )
        )
        params = None
    if params is not None:
        criteria = ws.criteria_files(f"{params.area_id}-*.yaml")
        checks.append(
            Check(
                "bộ tiêu chí Chỉ số CCHC",
                True,
                ", ".join(p.name for p in criteria)
                if criteria
                else f"chưa có cho «{params.area_id}» (chỉ cần cho báo cáo 6 tháng, năm)",
            )
        )
    missing = [
        n
        for n in ("01_monthly_review", "02_semiannual_report", "03_anomalies")
        if ws.locate(f"notebooks/{n}.ipynb") is None
    ]
    nb = ws.locate("notebooks/01_monthly_review.ipynb")
    checks.append(
        Check(
            "notebook",
            not missing,
            nb[1].label() if nb and not missing else f"thiếu {', '.join(missing)}",
            "cài lại chương trình hoặc chạy cchc init để chép notebook",
        )
    )
    return checks


def run_checks(store_path: Path | None = None, area: str | None = None) -> list[Check]:
    return [*packages(), *pdf_and_font(), kernel(), *workspace_checks(area), *store(workspace_store(store_path))]
