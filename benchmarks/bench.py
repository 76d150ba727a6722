"""Benchmarks, run on demand (`make bench`), never in `make test`. Results go to benchmarks/results.json.

(a) aggregation of generated dossier lists to unit-month statistics: the package against a bare polars query
    written here, DuckDB SQL and pandas (pandas only up to 10 million rows) on the same Parquet file, every
    way fetching the same results (checked equal to the package's); wall time and peak RSS, each run in a fresh
    process, five times in turn, medians (with each run kept) and ratios (bars: ≤ 1,0× DuckDB at 100M, ≤ 1,1× bare polars at 10M
    and 100M, ≤ 1 GB); then `cchc ingest-dossiers` of the largest list (validation, aggregation, store);
(b) `cchc run monthly`, `semiannual` and `anomalies` on the sample: end to end and per step;
(c) `cchc run monthly` against an empty notebook through papermill's command, in turn (bar: 3,5×);
(d) a large area: 50.000 unit-month rows over a 2.000-unit registry — `cchc check`, `cchc ingest`, the same file
    ingested again — against reading the same CSV with bare polars in the same run (bars: 10 s, 15 s, 5 s);
(e) `cchc --help` against a bare Python start in the same run (bar: 0,5 s).

    .venv/bin/python benchmarks/bench.py [--sizes 1000000,10000000,100000000] [--units 3321]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "benchmarks" / "data"
RESULTS = ROOT / "benchmarks" / "results.json"
sys.path.insert(0, str(ROOT))


# -- the four ways to aggregate, each run in its own process and each fetching the same results -----------------
# What every way computes, per unit as written and month: received (by the month received) and closed (by the
# month closed) counts, and late dossiers per field. The package also cumulates the stocks and maps units to
# the registry: that work is in its time, not in the others'.
RECEIVED = ("tiep_nhan", "so_hoa_tiep_nhan", "phai_truc_tuyen", "truc_tuyen", "co_phi", "thanh_toan_truc_tuyen")
RECEIVED += ("chung_thuc_dien_tu", "tai_su_dung")
CLOSED = ("dung_han", "qua_han", "ket_qua", "so_hoa_ket_qua", "tra_lai", "huy")


def measure_package(path: Path):
    from cchc_analysis.inputs.dossiers import aggregate, scan

    return aggregate(scan(path))  # spellings pass, heavy pass, merge per unit, stocks


def measure_polars(path: Path):
    import polars as pl

    lf = pl.scan_parquet(path)
    s = pl.col("status")
    fee = pl.col("fee") > 0
    received = lf.group_by("unit", month=pl.col("received_at").dt.truncate("1mo")).agg(
        tiep_nhan=pl.len(),
        so_hoa_tiep_nhan=pl.col("digitized_input").sum(),
        phai_truc_tuyen=pl.col("online_required").sum(),
        truc_tuyen=(pl.col("online_required") & (pl.col("channel") == "truc_tuyen")).sum(),
        co_phi=fee.sum(),
        thanh_toan_truc_tuyen=(fee & pl.col("paid_online")).sum(),
        chung_thuc_dien_tu=pl.col("e_cert").sum(),
        tai_su_dung=pl.col("reused_data").sum(),
        paused=(s == "tam_dung").sum(),
    )
    done, late = s == "da_giai_quyet", pl.col("resolved_at") > pl.col("due_at")
    cm = pl.col("resolved_at").dt.truncate("1mo")
    closed = (
        lf.filter(pl.col("resolved_at").is_not_null())
        .group_by("unit", month=cm)
        .agg(
            dung_han=(done & ~late).sum(),
            qua_han=(done & late).sum(),
            ket_qua=(done & pl.col("result_required")).sum(),
            so_hoa_ket_qua=(done & pl.col("result_required") & pl.col("digitized_output")).sum(),
            tra_lai=(s == "tra_lai").sum(),
            huy=(s == "huy").sum(),
            closed=pl.len(),
        )
    )
    late_q = lf.filter(done & late).group_by("unit", month=cm, field=pl.col("field")).agg(late=pl.len())
    return pl.collect_all([received, closed, late_q], engine="streaming")


_SQL = (
    """SELECT unit, date_trunc('month', received_at)::DATE AS month, count(*) AS tiep_nhan,
        count(*) FILTER (WHERE digitized_input) AS so_hoa_tiep_nhan,
        count(*) FILTER (WHERE online_required) AS phai_truc_tuyen,
        count(*) FILTER (WHERE online_required AND channel = 'truc_tuyen') AS truc_tuyen,
        count(*) FILTER (WHERE fee > 0) AS co_phi,
        count(*) FILTER (WHERE fee > 0 AND paid_online) AS thanh_toan_truc_tuyen,
        count(*) FILTER (WHERE e_cert) AS chung_thuc_dien_tu, count(*) FILTER (WHERE reused_data) AS tai_su_dung,
        count(*) FILTER (WHERE status = 'tam_dung') AS paused
    FROM read_parquet($path) GROUP BY ALL""",
    """SELECT unit, date_trunc('month', resolved_at)::DATE AS month,
        count(*) FILTER (WHERE status = 'da_giai_quyet' AND resolved_at <= due_at) AS dung_han,
        count(*) FILTER (WHERE status = 'da_giai_quyet' AND resolved_at > due_at) AS qua_han,
        count(*) FILTER (WHERE status = 'da_giai_quyet' AND result_required) AS ket_qua,
        count(*) FILTER (WHERE status = 'da_giai_quyet' AND result_required AND digitized_output) AS so_hoa_ket_qua,
        count(*) FILTER (WHERE status = 'tra_lai') AS tra_lai, count(*) FILTER (WHERE status = 'huy') AS huy,
        count(*) AS closed
    FROM read_parquet($path) WHERE resolved_at IS NOT NULL GROUP BY ALL""",
    """SELECT unit, date_trunc('month', resolved_at)::DATE AS month, field, count(*) AS late
    FROM read_parquet($path) WHERE status = 'da_giai_quyet' AND resolved_at > due_at GROUP BY ALL""",
)


def measure_duckdb(path: Path):
    import duckdb

    con = duckdb.connect()
    # every result fetched, as the package fetches its own: counting rows alone would let DuckDB skip the work
    return [con.sql(q, params={"path": str(path)}).pl() for q in _SQL]


def measure_pandas(path: Path):
    import pandas as pd

    d = pd.read_parquet(path)
    d["rm"] = pd.to_datetime(d["received_at"]).dt.to_period("M")
    d["cm"] = pd.to_datetime(d["resolved_at"]).dt.to_period("M")
    d["fee_pos"] = d["fee"] > 0
    d["paid"] = d["fee_pos"] & d["paid_online"]
    d["online"] = d["online_required"] & (d["channel"] == "truc_tuyen")
    d["paused"] = d["status"] == "tam_dung"
    r = d.groupby(["unit", "rm"]).agg(
        tiep_nhan=("unit", "size"),
        so_hoa_tiep_nhan=("digitized_input", "sum"),
        phai_truc_tuyen=("online_required", "sum"),
        truc_tuyen=("online", "sum"),
        co_phi=("fee_pos", "sum"),
        thanh_toan_truc_tuyen=("paid", "sum"),
        chung_thuc_dien_tu=("e_cert", "sum"),
        tai_su_dung=("reused_data", "sum"),
        paused=("paused", "sum"),
    )
    done = d["status"] == "da_giai_quyet"
    late = d["resolved_at"] > d["due_at"]
    d["dung_han"] = done & ~late
    d["qua_han"] = done & late
    d["ket_qua"] = done & d["result_required"]
    d["so_hoa_ket_qua"] = done & d["result_required"] & d["digitized_output"]
    d["tra_lai"] = d["status"] == "tra_lai"
    d["huy"] = d["status"] == "huy"
    c = (
        d[d["resolved_at"].notna()]
        .groupby(["unit", "cm"])
        .agg(**{k: (k, "sum") for k in CLOSED}, closed=("unit", "size"))
    )
    lt = d[d["qua_han"]].groupby(["unit", "cm", "field"]).size().rename("late")
    return r.reset_index(), c.reset_index(), lt.reset_index()


ENGINES = {"package": measure_package, "polars": measure_polars, "duckdb": measure_duckdb, "pandas": measure_pandas}


def normalized(engine: str, result):
    """One shape for every way's results, to check they are the same (outside the timing): flows per unit and
    month where any count is not zero, and late dossiers per unit, month and field, sorted."""
    import polars as pl

    if engine == "package":
        months, late = result
        flows = months.rename({"unit_id": "unit"}).select("unit", "month", *RECEIVED, *CLOSED)
        late = late.rename({"unit_id": "unit"})
    else:
        received, closed, late = result
        if engine == "pandas":
            received, closed, late = (
                pl.from_pandas(f.rename(columns={"rm": "month", "cm": "month"}).astype({"month": str})).with_columns(
                    pl.col("month").str.to_date("%Y-%m")
                )
                for f in (received, closed, late)
            )
        flows = received.join(closed, on=["unit", "month"], how="full", coalesce=True)
    counts = [*RECEIVED, *CLOSED]
    flows = flows.select("unit", pl.col("month").cast(pl.Date), pl.col(counts).fill_null(0).cast(pl.Int64))
    flows = flows.filter(pl.any_horizontal(pl.col(counts) != 0)).sort("unit", "month")
    late = late.select("unit", pl.col("month").cast(pl.Date), "field", pl.col("late").cast(pl.Int64))
    return flows, late.sort("unit", "month", "field")


def child(engine: str, path: str, out: str) -> None:
    # imports are not what is measured
    import duckdb  # noqa: F401
    import polars  # noqa: F401

    import cchc_analysis.inputs.dossiers  # noqa: F401

    if engine == "pandas":
        import pandas  # noqa: F401
    start = time.perf_counter()
    result = ENGINES[engine](Path(path))
    seconds = time.perf_counter() - start
    peak = _peak_rss_mb()
    flows, late = normalized(engine, result)
    flows.write_parquet(Path(out) / f"{engine}-flows.parquet")
    late.write_parquet(Path(out) / f"{engine}-late.parquet")
    print(json.dumps({"seconds": seconds, "peak_rss_mb": peak, "unit_months": flows.height}))


def _peak_rss_mb() -> float:
    """VmHWM: this process's peak resident set since exec (ru_maxrss would carry the parent's over)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_child(engine: str, path: Path, out: Path) -> dict:
    res = subprocess.run(
        [sys.executable, __file__, "--child", engine, str(path), str(out)], capture_output=True, text=True
    )
    if res.returncode != 0:
        return {"error": (res.stderr.strip().splitlines() or ["?"])[-1]}
    return json.loads(res.stdout.strip().splitlines()[-1])


def same_results(engine: str, out: Path) -> bool:
    import polars as pl

    return all(
        pl.read_parquet(out / f"{engine}-{part}.parquet").equals(pl.read_parquet(out / f"package-{part}.parquet"))
        for part in ("flows", "late")
    )


# -- (a) aggregation --------------------------------------------------------------------------------------
def dataset(size: int, units: int) -> tuple[Path, float | None]:
    from cchc_analysis.inputs.synth import synthesize

    path = DATA / f"ho-so-{size}-{units}.parquet"
    if path.exists():
        return path, None
    start = time.perf_counter()
    synthesize(path, size, units, seed=1)
    return path, time.perf_counter() - start


def aggregation(sizes: list[int], units: int, repeats: int = 5) -> list[dict]:
    """Each way run ``repeats`` times in turn (package, polars, DuckDB, pandas, package, …) and its median kept,
    so that a drift of the machine touches every way alike; every way's results are checked equal to the
    package's."""
    import statistics

    out = []
    for size in sizes:
        path, generated = dataset(size, units)
        row = {
            "dossiers": size,
            "units": units,
            "parquet_mb": round(path.stat().st_size / 2**20, 1),
            "generated_seconds": generated,
        }
        engines = [e for e in ENGINES if not (e == "pandas" and size > 10_000_000)]
        runs: dict[str, list[dict]] = {e: [] for e in engines}
        with tempfile.TemporaryDirectory() as tmp:
            for _ in range(repeats):
                for engine in engines:
                    runs[engine].append(run_child(engine, path, Path(tmp)))
            for engine in engines:
                failed = [r for r in runs[engine] if "error" in r]
                if failed:
                    row[engine] = failed[0]
                    continue
                row[engine] = {
                    "seconds": round(statistics.median(r["seconds"] for r in runs[engine]), 3),
                    "runs_seconds": [round(r["seconds"], 3) for r in runs[engine]],
                    "peak_rss_mb": round(max(r["peak_rss_mb"] for r in runs[engine]), 1),
                    "unit_months": runs[engine][0]["unit_months"],
                    "same_results_as_package": same_results(engine, Path(tmp)),
                }
        if "pandas" not in engines:
            row["pandas"] = {"skipped": "does not fit the 1 GB budget; pandas needs ~8 GB at 100M rows"}
        base = row["duckdb"].get("seconds")
        for engine in ENGINES:
            r = row[engine]
            if base and "seconds" in r:
                r["ratio_to_duckdb"] = round(r["seconds"] / base, 2)
        if "seconds" in row["polars"] and "seconds" in row["package"]:
            row["package"]["ratio_to_bare_polars"] = round(row["package"]["seconds"] / row["polars"]["seconds"], 2)
        if "seconds" in row["pandas"] and "seconds" in row["package"]:
            row["package"]["speedup_over_pandas"] = round(row["pandas"]["seconds"] / row["package"]["seconds"], 1)
        out.append(row)
        print(json.dumps(row, ensure_ascii=False))
    return out


# -- (b) runs on the sample, (c) against an empty notebook through papermill -----------------------------------
def cli(*args: str) -> tuple[float, subprocess.CompletedProcess]:
    start = time.perf_counter()
    res = subprocess.run([str(Path(sys.executable).with_name("cchc")), *args], capture_output=True, text=True)
    if res.returncode != 0:
        raise RuntimeError(res.stderr)
    return time.perf_counter() - start, res


SAMPLE_RUNS = (("monthly", "2023-05", "2023-05"), ("semiannual", "2023-H1", "2023-H1"))
SAMPLE_RUNS += (("anomalies", "2023-05", "2023-05-bat-thuong"),)


def sample_runs(repeats: int = 5) -> dict:
    """The three runs on the sample, each ``repeats`` times: the median end to end, and each step of the median
    run as its manifest records it."""
    import statistics

    with tempfile.TemporaryDirectory() as tmp:
        db, out = Path(tmp) / "s.duckdb", Path(tmp) / "out"
        ingest, _ = cli("ingest", "--sample", "--store", str(db))
        result: dict = {"ingest_sample_seconds": round(ingest, 2)}
        for kind, period, folder in SAMPLE_RUNS:
            runs = []
            for _ in range(repeats):
                total, _ = cli("run", kind, period, "--store", str(db), "--out", str(out), "--quiet")
                manifest = json.loads((out / folder / "manifest.json").read_text(encoding="utf-8"))
                runs.append((total, {s["step"]: s["seconds"] for s in manifest["steps"]}))
            median = statistics.median_low(t for t, _ in runs)
            result[kind] = {
                "end_to_end_seconds": round(median, 2),
                "runs_seconds": [round(t, 2) for t, _ in runs],
                "steps": next(steps for t, steps in runs if t == median),
            }
        return result


def notebook_overhead(repeats: int = 5) -> dict:
    """`cchc run monthly 2023-05` on the sample against papermill's own command running an empty notebook: both
    whole processes, started in turn, the ratio taken pair by pair (bar: 3,5)."""
    import statistics

    import nbformat

    with tempfile.TemporaryDirectory() as tmp:
        empty = Path(tmp) / "empty.ipynb"
        nb = nbformat.v4.new_notebook()
        nb.cells = [nbformat.v4.new_code_cell("period = ''", metadata={"tags": ["parameters"]})]
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        nbformat.write(nb, empty)
        db = Path(tmp) / "s.duckdb"
        cli("ingest", "--sample", "--store", str(db))
        papermill = [str(Path(sys.executable).with_name("papermill")), str(empty), str(Path(tmp) / "empty-out.ipynb")]
        pairs = []
        for i in range(repeats + 1):  # the first pair warms the disk cache and is not counted
            run, _ = cli("run", "monthly", "2023-05", "--store", str(db), "--out", str(Path(tmp) / "out"), "--quiet")
            start = time.perf_counter()
            subprocess.run([*papermill, "-p", "period", "2023-05"], capture_output=True, check=True)
            bare = time.perf_counter() - start
            if i:
                pairs.append((run, bare))
        return {
            "run_monthly_seconds": round(statistics.median(r for r, _ in pairs), 2),
            "empty_notebook_seconds": round(statistics.median(b for _, b in pairs), 2),
            "ratio": round(statistics.median(r / b for r, b in pairs), 2),
        }


# one measurement from set-up to the figures it reports, in the order it runs: split, the timings would lose their context
def large_area(units: int = 2000, months: int = 25) -> dict:
    import csv
    import random

    rng = random.Random(3)
    with tempfile.TemporaryDirectory() as tmp:
        ws = Path(tmp)
        cli("init", str(ws))
        kinds = ("xa", "phuong", "dac_khu")
        rows = [("tinh-x", "UBND tỉnh X", "tỉnh X", "tinh")]
        for i in range(units):
            kind = kinds[i % 3] if i >= 40 else "co_quan"
            word = {"xa": "xã", "phuong": "phường", "dac_khu": "đặc khu"}.get(kind)
            short = f"Đơn Vị {i:04d}"
            rows.append((f"u{i}", f"UBND {word} {short}" if word else f"Sở Số {i:04d}", short, kind))
        with (ws / "params" / "units" / "lon.csv").open("w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["id", "name", "short_name", "kind", "parent", "valid_from", "valid_to", "aliases"])
            w.writerows([*r, "tinh-x" if r[3] != "tinh" else "", "", "", ""] for r in rows)
        data = ws / "lon.csv"
        with data.open("w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(
                [
                    "ky",
                    "don_vi",
                    "tiep_nhan",
                    "so_hoa_tiep_nhan",
                    "ket_qua",
                    "so_hoa_ket_qua",
                    "co_phi",
                    "thanh_toan_truc_tuyen",
                ]
            )
            for m in range(months):
                for r in rows[1:]:
                    n, fee = rng.randint(10, 300), rng.randint(0, 100)
                    done = rng.randint(n // 2, n)
                    w.writerow(
                        [
                            f"{2023 + m // 12}-{m % 12 + 1:02d}",
                            r[1],
                            n,
                            rng.randint(n * 8 // 10, n),
                            done,
                            rng.randint(done * 8 // 10, done),
                            fee,
                            rng.randint(0, fee),
                        ]
                    )
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", f"import polars; polars.read_csv({str(data)!r})"], check=True)
        baseline = time.perf_counter() - start
        store = str(ws / "data" / "cchc.duckdb")
        timings = {"rows": months * units, "units": units, "baseline_read_csv_seconds": round(baseline, 2)}
        area = str(ws / "params" / "units" / "lon.csv")
        for name, args in (
            ("check", ("check", str(data))),
            ("ingest", ("ingest", str(data), "--store", store)),
            ("ingest_again", ("ingest", str(data), "--store", store)),
        ):
            seconds, _ = cli(*args, "--area", area)
            timings[f"{name}_seconds"] = round(seconds, 2)
            timings[f"{name}_ratio_to_baseline"] = round(seconds / baseline, 1)
        return timings


def dossier_ingest(size: int, units: int) -> dict:
    """`cchc ingest-dossiers` of a generated list into a new store, as a whole process: validation, the
    aggregation and the store's write; its peak RSS read by a wrapper process that starts only it."""
    from cchc_analysis.inputs.synth import unit_names, write_registry

    path, _ = dataset(size, units)
    with tempfile.TemporaryDirectory() as tmp:
        registry = Path(tmp) / "units.csv"
        write_registry(unit_names(units, None), registry)
        cmd = [str(Path(sys.executable).with_name("cchc")), "ingest-dossiers", str(path)]
        cmd += ["--store", str(Path(tmp) / "d.duckdb"), "--units-file", str(registry)]
        wrapper = (
            "import json, resource, subprocess, sys, time; t = time.perf_counter(); "
            "r = subprocess.run(sys.argv[1:], capture_output=True, text=True); "
            "print(json.dumps({'code': r.returncode, 'seconds': time.perf_counter() - t, 'err': r.stderr[-300:], "
            "'peak_rss_mb': resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))"
        )
        res = json.loads(subprocess.run([sys.executable, "-c", wrapper, *cmd], capture_output=True, text=True).stdout)
    if res["code"] != 0:
        return {"dossiers": size, "error": res["err"]}
    return {"dossiers": size, "seconds": round(res["seconds"], 2), "peak_rss_mb": round(res["peak_rss_mb"], 1)}


def cli_startup(runs: int = 5) -> dict:
    """`cchc --help` (the CLI must not load polars, DuckDB or openpyxl to print its help) against `python -c pass`."""

    def best(cmd: list[str]) -> float:
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            subprocess.run(cmd, capture_output=True, check=True)
            times.append(time.perf_counter() - start)
        return min(times)

    bare = best([sys.executable, "-c", "pass"])
    cchc = best([str(Path(sys.executable).with_name("cchc")), "--help"])
    return {"python_seconds": round(bare, 3), "cchc_help_seconds": round(cchc, 3), "ratio": round(cchc / bare, 1)}


def machine() -> dict:
    return {
        "cores": os.cpu_count(),
        "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "platform": platform.platform(),
        "python": platform.python_version(),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1000000,10000000,100000000")
    ap.add_argument("--units", type=int, default=3321)
    ap.add_argument("--child", nargs=3, metavar=("ENGINE", "PATH", "OUT"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(*args.child)
        return
    sizes = [int(float(s)) for s in args.sizes.split(",") if s]
    results = {
        "machine": machine(),
        "started_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "aggregation": aggregation(sizes, args.units),
        "dossier_ingest": dossier_ingest(max(sizes), args.units),
        "sample_runs": sample_runs(),
        "notebook_overhead": notebook_overhead(),
        "large_area": large_area(),
        "cli_startup": cli_startup(),
    }
    RESULTS.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    print_table(results)


def print_table(results: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    m = results["machine"]
    console = Console()
    t = Table(title=f"Tổng hợp hồ sơ → đơn vị – tháng ({m['cores']} lõi, {m['memory_gb']} GB)")
    for head in ("hồ sơ", "cách", "giây", "RSS đỉnh (MB)", "÷ DuckDB", "ghi chú"):
        t.add_column(head)
    for row in results["aggregation"]:
        for engine in ENGINES:
            r = row[engine]
            note = r.get("skipped") or r.get("error") or ""
            if "same_results_as_package" in r and engine != "package":
                note = "cùng kết quả với gói" if r["same_results_as_package"] else "KHÁC KẾT QUẢ CỦA GÓI"
            if engine == "package":
                note = f"÷ polars thuần {r.get('ratio_to_bare_polars', '—')}; nhanh hơn pandas {r.get('speedup_over_pandas', '—')}×"
            t.add_row(
                f"{row['dossiers']:,}".replace(",", "."),
                engine,
                f"{r.get('seconds', 0):.2f}" if "seconds" in r else "—",
                f"{r.get('peak_rss_mb', 0):.0f}" if "peak_rss_mb" in r else "—",
                str(r.get("ratio_to_duckdb", "—")),
                note,
            )
    console.print(t)
    console.print_json(
        json.dumps(
            {
                "dossier_ingest": results["dossier_ingest"],
                "sample_runs": results["sample_runs"],
                "notebook_overhead": results["notebook_overhead"],
                "large_area": results["large_area"],
                "cli_startup": results["cli_startup"],
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
