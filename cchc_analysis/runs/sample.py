"""The embedded sample: Tứ Kỳ 2023, rebuilt from the seeds' published figures (see data/sample/README.md)."""

from __future__ import annotations

import getpass
import os
import tempfile
from pathlib import Path

from cchc_analysis import __version__
from cchc_analysis.core import workspace
from cchc_analysis.core.config import SAMPLE_AREA, SAMPLE_DIR, SAMPLE_PARAMS
from cchc_analysis.core.exceptions import UsageError
from cchc_analysis.core.periods import Month, ReportPeriod

SAMPLE_COMMANDS = ("ingest --sample", "run --sample")  # how the store records a batch of the embedded sample


def sample_files() -> list[Path]:
    """The sample's monthly files, in month order."""
    return sorted(SAMPLE_DIR.glob("so-lieu-*.csv"))


def sample_score_files() -> list[Path]:
    """The sample's self-assessed CCHC scores (H1 2023)."""
    return sorted(SAMPLE_DIR.glob("tu-cham-*.csv"))


def sample_params(period: Month | ReportPeriod | None, store: Path | None) -> Path | None:
    """The sample's own parameters for ``period`` (the rules, number, date, notice and signer of the letters it was
    rebuilt from), when every row of that period was stored as the sample (``cchc ingest --sample``, or the
    throwaway store of a run with no store): an analyst's own data — even the sample's files ingested by hand —
    never takes another office's document number."""
    path = SAMPLE_PARAMS / f"{period}.yaml"
    if period is None or store is None or not path.is_file() or not Path(store).is_file():
        return None
    from cchc_analysis.store.database import Store

    window = period.window
    with Store.open(Path(store), read_only=True) as st:
        used = st.period_commands(window.start.first_day, window.end.first_day, SAMPLE_AREA)
    return path if used and used <= set(SAMPLE_COMMANDS) else None


def existing_store(store: str | Path | None) -> Path | None:
    """The store to read, checked before anything is written; None means "no store at all" (no ``--store``,
    no ``$CCHC_STORE`` and no ``data/cchc.duckdb`` in the workspace): use the sample."""
    named = workspace.named_store(store)
    path = named or workspace.store_path()
    if path.exists() or named is not None:
        if not path.exists():
            raise UsageError(f"chưa có kho dữ liệu {path} — nhập số liệu trước: cchc ingest TỆP…")
        return path
    return None


def build_sample_store(path: Path) -> Path:
    """A store holding the embedded sample (statistics and self-assessed scores)."""
    from cchc_analysis.inputs.ingest import check
    from cchc_analysis.inputs.selfscores import check_scores
    from cchc_analysis.inputs.units import Registry
    from cchc_analysis.store.database import Store

    registry = Registry.load(SAMPLE_AREA)
    with Store.open(path) as st:
        st.ingest(check(sample_files(), registry), registry, command=SAMPLE_COMMANDS[1])
        st.ingest_scores(check_scores(sample_score_files(), registry), registry)
        st.mark_preview()
    return path


def readable_store(store: str | Path | None) -> Path:
    """The store a notebook reads: the one ``cchc run`` would use, else, with no store at all, the embedded
    sample, built once per version in the temporary folder (never inside the package or the workspace)."""
    path = existing_store(store)
    if path is not None:
        return path
    from cchc_analysis.store.database import SCHEMA_VERSION

    cached = (
        Path(tempfile.gettempdir()) / f"cchc-so-lieu-mau-{__version__}-v{SCHEMA_VERSION}-{getpass.getuser()}.duckdb"
    )
    if not cached.exists():
        tmp = cached.with_name(f"{cached.stem}.{os.getpid()}.tmp")
        tmp.unlink(missing_ok=True)
        build_sample_store(tmp)
        os.replace(tmp, cached)
    return cached
