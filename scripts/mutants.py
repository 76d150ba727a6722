"""Break one behaviour at a time in a copy of the checkout and check that the fast suite (``-m "not e2e"``)
notices: a sample of mutants, each a rule an analyst relies on. A mutant the suite lets through is a test missing.

    .venv/bin/python scripts/mutants.py

Runs in a temporary copy (the checkout is never touched); about two minutes per mutant on two cores.
"""

from __future__ import annotations

import pathlib
import shutil
import subprocess
import sys
import tempfile

CHECKOUT = pathlib.Path(__file__).resolve().parent.parent

MUTANTS = [
    (
        "rates divide the other way",
        "cchc_analysis/compute/indicators.py",
        'then(pl.col("numerator") / pl.col("denominator"))',
        'then(pl.col("denominator") / pl.col("numerator"))',
    ),
    (
        "below-area reminder without its minimum gap",
        "cchc_analysis/compute/findings.py",
        "if (a - v) * 100 >= below.min_gap_pp and den >= below.min_denominator:",
        "if den >= below.min_denominator:",
    ),
    (
        "a unit twice in one month accepted",
        "cchc_analysis/inputs/ingest.py",
        "        if key in self.seen:\n",
        "        if False:\n",
    ),
    (
        "a total row not held against its units",
        "cchc_analysis/inputs/exports.py",
        "                if stated != added:\n",
        "                if False:\n",
    ),
    ("a formula kept in CSV", "cchc_analysis/core/escaping.py", '    return "\'" + value\n', "    return value\n"),
    (
        "ties do not share a rank",
        "cchc_analysis/compute/scoring.py",
        "return [1 + sum(other > p for other in points) for p in points]",
        "return [1 + sum(other >= p for other in points) - 1 + 0 * len(points) for p in points]",
    ),
    (
        "a window with gaps taken as whole",
        "cchc_analysis/compute/completeness.py",
        "    units = list(concerned)\n",
        "    units = list(concerned)\n    return {}\n",
    ),
    (
        "a negative count accepted",
        "cchc_analysis/inputs/records.py",
        "    if n is not None and n < 0:\n",
        "    if n is not None and n < -10**9:\n",
    ),
    (
        "an invisible character let through",
        "cchc_analysis/core/textnorm.py",
        "    found = _NOT_TEXT.search(value)\n",
        "    found = None\n",
    ),
    (
        "đ not folded",
        "cchc_analysis/core/textnorm.py",
        '        return "d" if ch == "đ" else "D"\n',
        "        return ch\n",
    ),
    (
        "title rows above the header not skipped",
        "cchc_analysis/inputs/readers.py",
        "            if fits(trial):\n",
        "            if False:\n",
    ),
    (
        "the area's words not from the registry",
        "cchc_analysis/core/params.py",
        '                "area_name": self.area_name or words.area or "địa bàn",',
        '                "area_name": self.area_name or "địa bàn",',
    ),
    (
        "a printed rate not checked",
        "cchc_analysis/inputs/exports.py",
        "        if abs(computed - value) > slack:\n",
        "        if False:\n",
    ),
    (
        "a gap in points miscomputed in check-report",
        "cchc_analysis/compute/reconcile.py",
        "        expected = average - value\n",
        "        expected = average - value + 1\n",
    ),
]


def main() -> int:
    root = pathlib.Path(tempfile.mkdtemp(prefix="cchc-mutants-"))
    for part in ("cchc_analysis", "tests", "params", "notebooks", "pyproject.toml"):
        source = CHECKOUT / part
        (shutil.copytree if source.is_dir() else shutil.copy)(source, root / part)
    missed = [name for name, rel, old, new in MUTANTS if not caught(root, name, rel, old, new)]
    shutil.rmtree(root, ignore_errors=True)
    print("missed:", missed or "none")
    return 1 if missed else 0


def caught(root: pathlib.Path, name: str, rel: str, old: str, new: str) -> bool:
    path = root / rel
    src = path.read_text(encoding="utf-8")
    assert old in src, f"{name}: the code it breaks has changed, update the mutant"
    path.write_text(src.replace(old, new, 1), encoding="utf-8")
    try:
        bindir = pathlib.Path(sys.executable).parent
        res = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-x", "-n", "2", "-m", "not e2e", "-p", "no:cacheprovider"],
            cwd=root,
            capture_output=True,
            text=True,
            env={"PYTHONPATH": str(root), "PATH": f"{bindir}:/usr/bin:/bin", "HOME": str(root)},
            timeout=900,
        )
    finally:
        path.write_text(src, encoding="utf-8")
    failed = [line for line in res.stdout.splitlines() if line.startswith("FAILED")]
    ok = res.returncode != 0 and bool(failed)
    print(f"{'caught' if ok else 'MISSED'}: {name} — {(failed or [res.stdout[-200:]])[0][:160]}", flush=True)
    return ok


if __name__ == "__main__":
    sys.exit(main())
