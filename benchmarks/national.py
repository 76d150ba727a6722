"""A national month (issue 30): a generated area of 3.351 units — 34 agencies and 3.317 communes, wards and special
zones — with six months of unit-month statistics, in its own workspace made by `cchc init`; then `cchc run monthly`
of its last month beside the sample's district month, each timed as a whole command, with the run's own per-step
times from its manifest, its letter's pages, its largest appendix's rows a page and sizes.

    .venv/bin/python benchmarks/national.py [FOLDER] [--units 3351] [--repeats 5]

Each pair (national, district) runs alternately, so that a busy moment of the machine falls on both; the ratio is
the median of the pairs' ratios, with its spread. Then three sample months as three commands against one
`cchc run monthly 2023-05 2023-06 2023-07` (one kernel), alternately.

Deterministic from a seed; the numbers are synthetic, their shape (sizes, rates near the seeds' levels) is not.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

from cchc_analysis.core.glossary import COUNT_COLUMNS

ROOT = Path(__file__).resolve().parents[1]
CCHC = str(Path(sys.executable).with_name("cchc"))
COLUMNS = ("ky", "don_vi", *COUNT_COLUMNS)  # the template's columns, in its order
KINDS = (("xa", "xã"), ("phuong", "phường"), ("dac_khu", "đặc khu"))


def registry(folder: Path, units: int, rng: random.Random) -> list[tuple[str, str, str, str]]:
    """The area, 34 agencies, and communes, wards and special zones up to ``units``."""
    rows = [("ca-nuoc", "UBND tỉnh Toàn Quốc", "tỉnh Toàn Quốc", "tinh")]
    for i in range(34):
        rows.append((f"so-{i:02d}", f"Sở Số {i:02d}", f"Sở Số {i:02d}", "co_quan"))
    for i in range(units - 34):
        kind, word = KINDS[0] if rng.random() < 0.7 else KINDS[1] if rng.random() < 0.97 else KINDS[2]
        short = f"Đơn Vị {i:04d}"
        rows.append((f"u{i:04d}", f"UBND {word} {short}", short, kind))
    path = folder / "params" / "units" / "ca-nuoc.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "name", "short_name", "kind", "parent", "valid_from", "valid_to", "aliases"])
        w.writerows([*r, "" if r[3] == "tinh" else "ca-nuoc", "", "", ""] for r in rows)
    return rows[1:]


def statistics_files(
    folder: Path, units: list[tuple[str, str, str, str]], months: int, rng: random.Random
) -> list[Path]:
    """One CSV a month, every flow consistent (carried over + received = on time + late + in progress + …)."""
    size = {u[0]: rng.lognormvariate(4.5, 0.8) for u in units}
    skill = {u[0]: rng.uniform(0.85, 1.0) for u in units}
    carried = dict.fromkeys(size, 0)
    files = []
    for m in range(1, months + 1):
        path = folder / f"so-lieu-2026-{m:02d}.csv"
        with path.open("w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(COLUMNS)
            for uid, name, _, _ in units:
                received = max(1, round(size[uid] * rng.uniform(0.8, 1.2)))
                total = received + carried[uid]
                late = rng.randint(0, max(0, total // 200))
                in_progress = rng.randint(0, total // 20)
                returned = rng.randint(0, total // 50)
                on_time = total - late - in_progress - returned
                results = on_time + late
                s = skill[uid]
                fee = rng.randint(0, received)
                row = [
                    f"2026-{m:02d}",
                    name,
                    received,
                    received,
                    min(received, round(received * min(1.0, rng.gauss(s, 0.03)))),
                    results,
                    min(results, round(results * min(1.0, rng.gauss(s, 0.03)))),
                    fee,
                    min(fee, round(fee * min(1.0, max(0.0, rng.gauss(0.5, 0.3))))),
                    carried[uid],
                    received,
                    min(received, round(received * min(1.0, rng.gauss(0.98, 0.02)))),
                    on_time,
                    late,
                    in_progress,
                    0,
                    returned,
                    0,
                    rng.randint(0, 20) if not name.startswith("Sở") else "",
                    rng.randint(0, 10),
                ]
                carried[uid] = in_progress
                w.writerow(row)
        files.append(path)
    return files


def timed(args: list[str], cwd: Path) -> tuple[float, float]:
    """Seconds and peak memory (MB, the largest child process) of one command."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    subprocess.run(args, cwd=cwd, check=True, capture_output=True)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return seconds, max(peak, before) / 1024


def describe(folder: Path) -> dict:
    """What a reader gets: per-step seconds, the letter's and the appendix's pages, rows a page, file sizes."""
    from docx import Document
    from pypdf import PdfReader

    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    out: dict = {"steps": {s["step"]: s["seconds"] for s in manifest["steps"]}}
    pdf = next(folder.glob("phu-luc-*.pdf"))
    out["appendix_pages"] = len(PdfReader(str(pdf)).pages)
    out["appendix_rows_a_page"] = rows_a_page(pdf, next(folder.glob("phu-luc-*.xlsx")))
    letter = next(folder.glob("cong-van-*.docx"))
    out["letter_paragraphs"] = len(Document(str(letter)).paragraphs)
    subprocess.run(
        ["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(folder / "pdf"), str(letter)],
        check=False,
        capture_output=True,
    )
    letter_pdf = folder / "pdf" / (letter.stem + ".pdf")
    out["letter_pages"] = len(PdfReader(str(letter_pdf)).pages) if letter_pdf.exists() else None
    out["sizes_mb"] = {p.name: round(p.stat().st_size / 1e6, 2) for p in sorted(folder.iterdir()) if p.is_file()}
    return out


def rows_a_page(pdf: Path, xlsx: Path) -> dict[str, float]:
    """Each appendix table's rows (from the workbook: one sheet a table, one table an appendix here) over its PDF
    pages (an appendix's first page is the one that begins with its label)."""
    import re

    from openpyxl import load_workbook

    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    starts = [i for i, page in enumerate(text.split("\f")) if re.match(r"\s*Phụ lục", page)]
    ends = [*starts[1:], text.count("\f")]
    book = load_workbook(xlsx, read_only=True)
    sheets = book.sheetnames[1:]  # after the cover sheet
    out = {}
    for name, start, end in zip(sheets, starts, ends, strict=False):
        rows = sum(1 for r in book[name].iter_rows(min_col=2, max_col=2, values_only=True) if r[0]) - 1
        out[name] = round(rows / max(1, end - start), 1)
    return out


def machine() -> dict:
    import datetime as dt
    import os
    import platform

    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {
        "date": dt.date.today().isoformat(),
        "cpus": os.cpu_count(),
        "memory_gb": round(memory, 1),
        "python": platform.python_version(),
        "system": platform.platform(),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("folder", nargs="?", default="build/national")
    ap.add_argument("--units", type=int, default=3351)
    ap.add_argument("--months", type=int, default=6)
    ap.add_argument("--repeats", type=int, default=5)
    a = ap.parse_args()
    folder = Path(a.folder).resolve()
    subprocess.run(["rm", "-rf", str(folder)], check=True)
    subprocess.run([CCHC, "init", str(folder)], check=True, capture_output=True)
    rng = random.Random(30)
    units = registry(folder, a.units, rng)
    files = statistics_files(folder, units, a.months, rng)
    subprocess.run([CCHC, "ingest", *map(str, files), "--area", "ca-nuoc"], cwd=folder, check=True, capture_output=True)
    sample = folder / "sample-store.duckdb"
    subprocess.run([CCHC, "ingest", "--sample", "--store", str(sample)], cwd=folder, check=True, capture_output=True)
    month = f"2026-{a.months:02d}"
    national, district = [], []
    for _ in range(a.repeats):  # alternately, so a busy moment of the machine falls on both
        national.append(
            timed([CCHC, "run", "monthly", month, "--area", "ca-nuoc", "--allow-partial", "--force", "--quiet"], folder)
        )
        district.append(
            timed(
                [
                    CCHC,
                    "run",
                    "monthly",
                    "2023-08",
                    "--store",
                    str(sample),
                    "--out",
                    str(folder / "mau"),
                    "--force",
                    "--quiet",
                ],
                folder,
            )
        )
    ratios = sorted(n / d for (n, _), (d, _) in zip(national, district, strict=True))
    result = {
        "machine": machine(),
        "units": a.units,
        "national_seconds": [round(s, 1) for s, _ in national],
        "district_seconds": [round(s, 1) for s, _ in district],
        "national_median_seconds": round(statistics.median(s for s, _ in national), 1),
        "district_median_seconds": round(statistics.median(s for s, _ in district), 1),
        "ratio_median": round(statistics.median(ratios), 1),
        "ratio_spread": [round(ratios[0], 1), round(ratios[-1], 1)],
        "national_peak_mb": round(max(m for _, m in national)),
        "national": describe(folder / "outputs" / month),
        "batch": batch(folder, sample, a.repeats),
    }
    print(json.dumps(result, ensure_ascii=False, indent=1))


def batch(folder: Path, sample: Path, repeats: int) -> dict:
    """Three sample months as three commands, and as one command sharing a kernel, alternately."""
    months = ("2023-05", "2023-06", "2023-07")
    separate, shared = [], []
    for i in range(repeats):
        out = folder / f"lo-{i}"
        start = time.perf_counter()
        for m in months:
            args = [CCHC, "run", "monthly", m, "--store", str(sample), "--out", str(out / "rieng"), "--quiet"]
            subprocess.run(args, cwd=folder, check=True, capture_output=True)
        separate.append(time.perf_counter() - start)
        args = [CCHC, "run", "monthly", *months, "--store", str(sample), "--out", str(out / "chung"), "--quiet"]
        shared.append(timed(args, folder)[0])
    s, b = statistics.median(separate), statistics.median(shared)
    return {
        "months": list(months),
        "separate_seconds": [round(x, 1) for x in separate],
        "one_kernel_seconds": [round(x, 1) for x in shared],
        "saving": round(1 - b / s, 2),
    }


if __name__ == "__main__":
    main()
