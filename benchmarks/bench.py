"""Benchmarks, run on demand (`make bench`), never in `make test`. Results go to benchmarks/results.json.

(a) aggregation of generated dossier lists to unit-month statistics: the package (polars streaming) against a
    bare polars query written here, DuckDB SQL and pandas (pandas only up to 10 million rows) on the same
    Parquet file; wall time and peak RSS, each measured in a fresh process, with ratios;
(b) `cchc run monthly` and `cchc run semiannual` on the sample: time per step;
(c) notebook overhead: the monthly notebook against an empty notebook through papermill;
(e) `cchc --help` against a bare Python start in the same run (bar: 0,5 s);
(d) a large area: 50.000 unit-month rows over a 2.000-unit registry — `cchc check`, `cchc ingest`, the same file
    ingested again — against reading the same CSV with bare polars in the same run (bars: 10 s, 15 s, 5 s).

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


# -- the four ways to aggregate, each run in its own process ------------------------------------------------
def measure_package(path: Path) -> int:
    from cchc_analysis.dossiers import Spellings, aggregate, scan

    lf = scan(path)
    spellings = Spellings.of(lf)  # in `cchc ingest-dossiers` this pass also names the units to match
    months, _ = aggregate(lf, {n: n for n in spellings.units}, spellings)
    return months.height


def measure_polars(path: Path) -> int:
    import polars as pl

    lf = pl.scan_parquet(path)
    s = pl.col("status")
    received = lf.group_by("unit", rm=pl.col("received_at").dt.truncate("1mo")).agg(
        pl.len().alias("tiep_nhan"),
        pl.col("digitized_input").sum(),
        pl.col("online_required").sum(),
        (pl.col("online_required") & (pl.col("channel") == "truc_tuyen")).sum().alias("truc_tuyen"),
        (pl.col("fee") > 0).sum().alias("co_phi"),
        ((pl.col("fee") > 0) & pl.col("paid_online")).sum().alias("paid"),
        pl.col("e_cert").sum(),
        pl.col("reused_data").sum(),
        (s == "tam_dung").sum().alias("paused"),
    )
    done = s == "da_giai_quyet"
    closed = (
        lf.filter(pl.col("resolved_at").is_not_null())
        .group_by("unit", cm=pl.col("resolved_at").dt.truncate("1mo"))
        .agg(
            (done & (pl.col("resolved_at") <= pl.col("due_at"))).sum().alias("dung_han"),
            (done & (pl.col("resolved_at") > pl.col("due_at"))).sum().alias("qua_han"),
            (done & pl.col("result_required")).sum().alias("ket_qua"),
            (done & pl.col("digitized_output")).sum().alias("so_hoa_ket_qua"),
            (s == "tra_lai").sum().alias("tra_lai"),
            (s == "huy").sum().alias("huy"),
            pl.len().alias("closed"),
        )
    )
    late = (
        lf.filter(done & (pl.col("resolved_at") > pl.col("due_at")))
        .group_by("unit", pl.col("resolved_at").dt.truncate("1mo"), "field")
        .len()
    )
    r, c, _ = pl.collect_all([received, closed, late], engine="streaming")
    return r.height + c.height


_SQL = """
WITH d AS (SELECT * FROM read_parquet('{path}')),
r AS (SELECT unit, date_trunc('month', received_at) AS m, count(*) AS tiep_nhan,
             count(*) FILTER (WHERE digitized_input) AS so_hoa, count(*) FILTER (WHERE online_required) AS phai,
             count(*) FILTER (WHERE online_required AND channel = 'truc_tuyen') AS truc_tuyen,
             count(*) FILTER (WHERE fee > 0) AS co_phi, count(*) FILTER (WHERE fee > 0 AND paid_online) AS paid,
             count(*) FILTER (WHERE e_cert) AS e_cert, count(*) FILTER (WHERE reused_data) AS reuse,
             count(*) FILTER (WHERE status = 'tam_dung') AS paused
      FROM d GROUP BY ALL),
c AS (SELECT unit, date_trunc('month', resolved_at) AS m,
             count(*) FILTER (WHERE status = 'da_giai_quyet' AND resolved_at <= due_at) AS dung_han,
             count(*) FILTER (WHERE status = 'da_giai_quyet' AND resolved_at > due_at) AS qua_han,
             count(*) FILTER (WHERE status = 'da_giai_quyet' AND result_required) AS ket_qua,
             count(*) FILTER (WHERE status = 'da_giai_quyet' AND digitized_output) AS so_hoa_kq,
             count(*) FILTER (WHERE status = 'tra_lai') AS tra_lai, count(*) FILTER (WHERE status = 'huy') AS huy,
             count(*) AS closed
      FROM d WHERE resolved_at IS NOT NULL GROUP BY ALL),
l AS (SELECT unit, date_trunc('month', resolved_at) AS m, field, count(*) AS late FROM d
      WHERE status = 'da_giai_quyet' AND resolved_at > due_at GROUP BY ALL)
SELECT (SELECT count(*) FROM r) + (SELECT count(*) FROM c) + 0 * (SELECT count(*) FROM l)
"""


def measure_duckdb(path: Path) -> int:
    import duckdb

    con = duckdb.connect()
    return con.execute(_SQL.format(path=str(path).replace("'", "''"))).fetchone()[0]


def measure_pandas(path: Path) -> int:
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
        so_hoa=("digitized_input", "sum"),
        phai=("online_required", "sum"),
        online=("online", "sum"),
        co_phi=("fee_pos", "sum"),
        paid=("paid", "sum"),
        e_cert=("e_cert", "sum"),
        reuse=("reused_data", "sum"),
        paused=("paused", "sum"),
    )
    done = d["status"] == "da_giai_quyet"
    d["on_time"] = done & (d["resolved_at"] <= d["due_at"])
    d["late"] = done & (d["resolved_at"] > d["due_at"])
    d["kq"] = done & d["result_required"]
    d["kq_so_hoa"] = done & d["digitized_output"]
    d["returned"] = d["status"] == "tra_lai"
    d["cancelled"] = d["status"] == "huy"
    c = (
        d[d["resolved_at"].notna()]
        .groupby(["unit", "cm"])
        .agg(
            on_time=("on_time", "sum"),
            late=("late", "sum"),
            kq=("kq", "sum"),
            kq_so_hoa=("kq_so_hoa", "sum"),
            returned=("returned", "sum"),
            cancelled=("cancelled", "sum"),
            closed=("unit", "size"),
        )
    )
    d[d["late"]].groupby(["unit", "cm", "field"]).size()
    return len(r) + len(c)


ENGINES = {"package": measure_package, "polars": measure_polars, "duckdb": measure_duckdb, "pandas": measure_pandas}


def child(engine: str, path: str) -> None:
    # imports are not what is measured
    import duckdb  # noqa: F401
    import polars  # noqa: F401

    import cchc_analysis.dossiers  # noqa: F401

    if engine == "pandas":
        import pandas  # noqa: F401
    start = time.perf_counter()
    rows = ENGINES[engine](Path(path))
    seconds = time.perf_counter() - start
    peak = _peak_rss_mb()
    print(json.dumps({"seconds": seconds, "peak_rss_mb": peak, "groups": rows}))


def _peak_rss_mb() -> float:
    """VmHWM: this process's peak resident set since exec (ru_maxrss would carry the parent's over)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_child(engine: str, path: Path) -> dict:
    res = subprocess.run([sys.executable, __file__, "--child", engine, str(path)], capture_output=True, text=True)
    if res.returncode != 0:
        return {"error": (res.stderr.strip().splitlines() or ["?"])[-1]}
    return json.loads(res.stdout.strip().splitlines()[-1])


# -- (a) aggregation --------------------------------------------------------------------------------------
def dataset(size: int, units: int) -> tuple[Path, float | None]:
    from cchc_analysis.synth import synthesize

    path = DATA / f"ho-so-{size}-{units}.parquet"
    if path.exists():
        return path, None
    start = time.perf_counter()
    synthesize(path, size, units, seed=1)
    return path, time.perf_counter() - start


def aggregation(sizes: list[int], units: int) -> list[dict]:
    out = []
    for size in sizes:
        path, generated = dataset(size, units)
        row = {
            "dossiers": size,
            "units": units,
            "parquet_mb": round(path.stat().st_size / 2**20, 1),
            "generated_seconds": generated,
        }
        for engine in ENGINES:
            if engine == "pandas" and size > 10_000_000:
                row[engine] = {"skipped": "does not fit the 1 GB budget; pandas needs ~8 GB at 100M rows"}
                continue
            row[engine] = run_child(engine, path)
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


# -- (b) runs on the sample, (c) notebook overhead -------------------------------------------------------------
def cli(*args: str) -> tuple[float, subprocess.CompletedProcess]:
    start = time.perf_counter()
    res = subprocess.run([str(Path(sys.executable).with_name("cchc")), *args], capture_output=True, text=True)
    if res.returncode != 0:
        raise RuntimeError(res.stderr)
    return time.perf_counter() - start, res


def sample_runs() -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        db, out = Path(tmp) / "s.duckdb", Path(tmp) / "out"
        ingest, _ = cli("ingest", "--sample", "--store", str(db))
        result = {"ingest_sample_seconds": round(ingest, 2)}
        for kind, period in (("monthly", "2023-05"), ("semiannual", "2023-H1")):
            total, _ = cli("run", kind, period, "--store", str(db), "--out", str(out), "--quiet")
            manifest = json.loads((out / period / "manifest.json").read_text(encoding="utf-8"))
            result[kind] = {
                "end_to_end_seconds": round(total, 2),
                "steps": {s["step"]: s["seconds"] for s in manifest["steps"]},
            }
        return result


def notebook_overhead() -> dict:
    import nbformat
    import papermill as pm

    with tempfile.TemporaryDirectory() as tmp:
        empty = Path(tmp) / "empty.ipynb"
        nb = nbformat.v4.new_notebook()
        nb.cells = [nbformat.v4.new_code_cell("period = ''", metadata={"tags": ["parameters"]})]
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        nbformat.write(nb, empty)
        db = Path(tmp) / "s.duckdb"
        cli("ingest", "--sample", "--store", str(db))
        timings = {}
        for name, source, params in (
            ("empty", empty, {"period": "2023-05"}),
            (
                "monthly",
                ROOT / "notebooks" / "01_monthly_review.ipynb",
                {"period": "2023-05", "store": str(db), "params_file": "", "area": ""},
            ),
        ):
            runs = []
            for _ in range(2):  # the first run of a session also warms the kernel's imports on disk
                start = time.perf_counter()
                pm.execute_notebook(
                    str(source),
                    str(Path(tmp) / f"{name}-out.ipynb"),
                    parameters=params,
                    kernel_name="python3",
                    progress_bar=False,
                    cwd=tmp,
                )
                runs.append(time.perf_counter() - start)
            timings[name] = round(min(runs), 2)
        timings["ratio_monthly_to_empty"] = round(timings["monthly"] / timings["empty"], 2)
        return timings


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
    ap.add_argument("--child", nargs=2, metavar=("ENGINE", "PATH"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(*args.child)
        return
    sizes = [int(float(s)) for s in args.sizes.split(",") if s]
    results = {
        "machine": machine(),
        "started_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "aggregation": aggregation(sizes, args.units),
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
