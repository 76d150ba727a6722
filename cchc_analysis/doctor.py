"""`cchc doctor`: is this machine ready, and is the store sound? One line per check, with what to do."""

from __future__ import annotations

import importlib
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from . import config

PACKAGES = ("polars", "duckdb", "pyarrow", "openpyxl", "babel", "pydantic", "jinja2", "papermill", "nbconvert",
            "ipykernel", "altair", "vl_convert", "weasyprint", "numpy")
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
            out.append(Check(f"thư viện {name}", False, f"{type(exc).__name__}: {exc}",
                             "chạy lại make test hoặc make demo để cài môi trường (.venv) từ pyproject.toml"))
    return out


def pdf_and_font() -> list[Check]:
    from .render import FONT_DIR, _FACES

    missing = [name for _, _, name in _FACES if not (FONT_DIR / name).is_file()]
    checks = [Check("phông chữ kèm theo", not missing, ", ".join(n for _, _, n in _FACES) if not missing else
                    f"thiếu {', '.join(missing)}", "cài lại gói (pip install -e .) để có thư mục data/fonts")]
    try:
        from pypdf import PdfReader  # noqa: F401 - only to read the test PDF back

        from .render import Appendix, Document, write_pdf
        from .tables import Col, Row, Table

        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "thu.pdf"
            table = Table("thu", "Thử", [Col("unit", "Đơn vị")], [Row({"unit": "UBND xã Hưng Đạo – Quảng Nghiệp"})])
            write_pdf(Document("Thử", "(Kèm theo)", [Appendix("Thử tiếng Việt", [table])]), path)
            text = PdfReader(str(path)).pages[0].extract_text()
        ok = "Hưng Đạo – Quảng Nghiệp" in text
        checks.append(Check("WeasyPrint, pango và chữ tiếng Việt trong PDF", ok, "PDF thử đọc lại đúng dấu" if ok
                            else "PDF thử thiếu dấu", "cài libpango-1.0-0 libpangoft2-1.0-0 (make test tự cài trên Debian)"))
    except Exception as exc:
        checks.append(Check("WeasyPrint và pango", False, f"{type(exc).__name__}: {exc}",
                            "cài libpango-1.0-0 libpangoft2-1.0-0 (bash scripts/sysdeps.sh)"))
    return checks


def kernel() -> Check:
    try:
        from jupyter_client.kernelspec import get_kernel_spec

        spec = get_kernel_spec("python3")
        argv = [sys.executable if a in ("python", "python3") else a for a in spec.argv[:1]]
        res = subprocess.run([*argv, "-c", "import cchc_analysis, ipykernel"], capture_output=True, text=True,
                             timeout=60)
        if res.returncode != 0:
            return Check("nhân Jupyter python3", False, f"{argv[0]} không nhập được cchc_analysis",
                         "cài ipykernel trong .venv: .venv/bin/python -m ipykernel install --sys-prefix")
        return Check("nhân Jupyter python3", True, argv[0])
    except Exception as exc:
        return Check("nhân Jupyter python3", False, f"{type(exc).__name__}: {exc}",
                     ".venv/bin/python -m pip install ipykernel")


def store(path: Path) -> list[Check]:
    from .store import SCHEMA_VERSION, Store

    if not path.exists():
        return [Check("kho dữ liệu", True, f"chưa có {path} (tạo khi nhập số liệu: cchc ingest …)")]
    checks = []
    try:
        with Store.open(path, read_only=True) as st:
            checks.append(Check("phiên bản cấu trúc kho", True, f"{st.version} (phần mềm dùng {SCHEMA_VERSION})"
                                + ("; sẽ nâng cấp ở lần ghi tới" if st.version < SCHEMA_VERSION else "")))
            con = st.con
            dup = con.execute("SELECT count(*) FROM (SELECT unit_id, month FROM unit_month_current "
                              "GROUP BY 1, 2 HAVING count(*) > 1)").fetchone()[0]
            dangling = con.execute("SELECT count(*) FROM unit_month o WHERE superseded_by IS NOT NULL AND NOT EXISTS "
                                   "(SELECT 1 FROM unit_month n WHERE n.row_id = o.superseded_by)").fetchone()[0]
            orphans = con.execute("SELECT count(*) FROM unit_month u WHERE NOT EXISTS "
                                  "(SELECT 1 FROM files f WHERE f.sha256 = u.source_sha256)").fetchone()[0]
            rows = con.execute("SELECT count(*) FROM unit_month").fetchone()[0]
        ok = not (dup or dangling or orphans)
        checks.append(Check("toàn vẹn kho", ok, f"{rows} dòng; trùng đơn vị – tháng: {dup}; thay thế mất dấu: "
                            f"{dangling}; dòng không rõ tệp nguồn: {orphans}",
                            "sao lưu tệp kho rồi báo người phụ trách phần mềm; đừng sửa tay"))
    except Exception as exc:
        checks.append(Check("kho dữ liệu", False, str(exc), "kiểm tra đường dẫn --store, đóng chương trình đang mở kho"))
    return checks


def run_checks(store_path: Path | None = None) -> list[Check]:
    return [*packages(), *pdf_and_font(), kernel(), *store(config.store_path(store_path))]
