"""The DuckDB store: every month of every unit, every file ingested, and the letters issued.

Only ``ingest`` and ``issue`` write, each in one transaction. A restated unit-month never overwrites:
the earlier row stays, marked as superseded by the new one.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import polars as pl

from cchc_analysis import __version__
from cchc_analysis.core import workspace
from cchc_analysis.core.exceptions import DataRejected, Problem, StoreError
from cchc_analysis.core.glossary import COUNT_COLUMNS
from cchc_analysis.inputs.records import Batch
from cchc_analysis.inputs.selfscores import ScoresBatch
from cchc_analysis.inputs.units import Registry

if TYPE_CHECKING:  # the monthly path reads the store and never needs the dossier-list reader
    from cchc_analysis.inputs.dossiers import DossierBatch

SCHEMA_VERSION = 5

# Each version's additions; a store of an older version is upgraded by running the later ones in order.
_V2 = """
CREATE TABLE IF NOT EXISTS self_scores (
    row_id BIGINT PRIMARY KEY, period VARCHAR NOT NULL, unit_id VARCHAR NOT NULL, criterion_id VARCHAR NOT NULL,
    score DECIMAL(9, 3) NOT NULL, note VARCHAR, source_sha256 VARCHAR NOT NULL, source_row INTEGER,
    batch_id INTEGER NOT NULL, ingested_at TIMESTAMP NOT NULL, superseded_by BIGINT, superseded_at TIMESTAMP);
CREATE OR REPLACE VIEW self_scores_current AS SELECT * FROM self_scores WHERE superseded_by IS NULL;
"""
_V3 = """
CREATE TABLE IF NOT EXISTS late_by_field (
    unit_id VARCHAR NOT NULL, month DATE NOT NULL, field VARCHAR NOT NULL, late BIGINT NOT NULL,
    source_sha256 VARCHAR NOT NULL, batch_id INTEGER NOT NULL);
CREATE OR REPLACE VIEW late_by_field_current AS
    SELECT l.* FROM late_by_field l JOIN unit_month_current c
    ON c.unit_id = l.unit_id AND c.month = l.month AND c.source_sha256 = l.source_sha256;
"""
# Late dossiers by field also come from form II.06a by field (a file of kind "fields"): for each unit-month the
# latest source wins, a dossier list counting only while it is the source of the month's current row.
_V4 = """
CREATE OR REPLACE VIEW late_by_field_current AS
    WITH candidates AS (
        SELECT l.unit_id, l.month, l.source_sha256, max(l.batch_id) AS batch_id
        FROM late_by_field l
        JOIN files f ON f.sha256 = l.source_sha256
        LEFT JOIN unit_month_current c
            ON c.unit_id = l.unit_id AND c.month = l.month AND c.source_sha256 = l.source_sha256
        WHERE c.unit_id IS NOT NULL OR f.kind = 'fields'
        GROUP BY 1, 2, 3),
    chosen AS (SELECT unit_id, month, arg_max(source_sha256, batch_id) AS sha FROM candidates GROUP BY 1, 2)
    SELECT l.* FROM late_by_field l
    JOIN chosen ch ON ch.unit_id = l.unit_id AND ch.month = l.month AND ch.sha = l.source_sha256;
"""
# Letters belong to an area: several areas may share one store. Letters recorded before have none and count
# for whichever area asks (a store held one area then).
_V5 = """
ALTER TABLE letters ADD COLUMN IF NOT EXISTS area VARCHAR;
"""
_MIGRATIONS = {2: _V2, 3: _V3, 4: _V4, 5: _V5}
_COUNTS_DDL = ",\n    ".join(f"{c} BIGINT" for c in COUNT_COLUMNS)
_SCHEMA = (
    f"""
CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR);
CREATE TABLE IF NOT EXISTS batches (
    batch_id INTEGER PRIMARY KEY, started_at TIMESTAMP, command VARCHAR, package_version VARCHAR);
CREATE TABLE IF NOT EXISTS files (
    sha256 VARCHAR PRIMARY KEY, file_name VARCHAR, path VARCHAR, sheet VARCHAR, kind VARCHAR,
    n_rows INTEGER, columns VARCHAR[], batch_id INTEGER, ingested_at TIMESTAMP);
CREATE TABLE IF NOT EXISTS units (
    id VARCHAR PRIMARY KEY, name VARCHAR, short_name VARCHAR, kind VARCHAR, parent VARCHAR, area VARCHAR,
    valid_from DATE, valid_to DATE);
CREATE TABLE IF NOT EXISTS unit_month (
    row_id BIGINT PRIMARY KEY,
    unit_id VARCHAR NOT NULL,
    month DATE NOT NULL,
    {_COUNTS_DDL},
    unit_raw VARCHAR,
    source_sha256 VARCHAR NOT NULL,
    source_row INTEGER,
    batch_id INTEGER NOT NULL,
    ingested_at TIMESTAMP NOT NULL,
    superseded_by BIGINT,
    superseded_at TIMESTAMP);
CREATE OR REPLACE VIEW unit_month_current AS SELECT * FROM unit_month WHERE superseded_by IS NULL;
CREATE TABLE IF NOT EXISTS letters (
    period VARCHAR NOT NULL, version INTEGER NOT NULL, issued_at TIMESTAMP NOT NULL, findings_sha256 VARCHAR,
    params_json VARCHAR, superseded BOOLEAN DEFAULT FALSE, PRIMARY KEY (period, version));
CREATE TABLE IF NOT EXISTS letter_findings (
    period VARCHAR NOT NULL, version INTEGER NOT NULL, unit_id VARCHAR NOT NULL, unit_kind VARCHAR,
    indicator VARCHAR, kind VARCHAR, level INTEGER, value DOUBLE, window_value DOUBLE, area_value DOUBLE,
    change_pp DOUBLE, gap_pp DOUBLE, decline_run INTEGER, gap_dossiers BIGINT, sentence VARCHAR);
"""
    + _V2
    + _V3
    + _V4
    + _V5
)


@dataclass
class FileResult:
    name: str
    status: str  # "new", "already" (same bytes stored before)
    inserted: int = 0
    superseded: int = 0
    unchanged: int = 0


@dataclass
class IngestReport:
    files: list[FileResult] = field(default_factory=list)

    @property
    def inserted(self) -> int:
        return sum(f.inserted for f in self.files)

    @property
    def superseded(self) -> int:
        return sum(f.superseded for f in self.files)

    @property
    def unchanged(self) -> int:
        return sum(f.unchanged for f in self.files)


class Store:
    def __init__(self, con: duckdb.DuckDBPyConnection, path: Path, read_only: bool):
        self.con = con
        self.path = path
        self.read_only = read_only
        self.version = SCHEMA_VERSION

    # -- opening -----------------------------------------------------------------------------
    @classmethod
    @contextmanager
    def open(cls, path: Path, read_only: bool = False) -> Iterator[Store]:
        """The store at ``path``, closed on leaving. Opened to write where there is none yet, it is created; if
        what follows fails, the new store (and any folder made for it) is removed again: a failed command leaves
        nothing it made."""
        path = Path(path)
        if read_only and not path.exists():
            raise StoreError(
                f"chưa có kho dữ liệu {path} — nhập số liệu trước: cchc ingest TỆP… (hoặc cchc ingest --sample)"
            )
        new = not read_only and not path.exists()
        made = [d for d in (path.parent, *path.parent.parents) if not d.exists()] if new else []
        if not read_only:
            path.parent.mkdir(parents=True, exist_ok=True)
        ok = False
        try:
            if new:
                new = cls._create(path)  # False: another command made it meanwhile, and it is not ours to remove
            con = cls._connect(path, read_only)
            store = cls(con, path, read_only)
            try:
                store._check_schema()
                yield store
                ok = True
            finally:
                con.close()
        finally:
            if new and not ok:
                for leftover in (path, path.with_name(path.name + ".wal")):
                    leftover.unlink(missing_ok=True)
                for folder in made:  # innermost first
                    with contextlib.suppress(OSError):
                        folder.rmdir()

    @classmethod
    def _create(cls, path: Path) -> bool:
        """A new store, with its schema, made beside ``path`` and linked into place whole: a command killed while
        making it leaves no half-made store at ``path``, only a hidden file the next creation removes. A store
        another command made meanwhile is kept (the link refuses to replace it)."""
        for stale in path.parent.glob(f".{path.name}.*.tmp*"):
            pid = stale.name.removeprefix(f".{path.name}.").split(".")[0]
            if pid.isdigit() and not _alive(int(pid)):
                stale.unlink(missing_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.unlink(missing_ok=True)
        try:
            con = cls._connect(tmp, False)
            try:
                cls(con, tmp, False)._check_schema()
            finally:
                con.close()
            try:
                os.link(tmp, path)
            except FileExistsError:
                return False
            return True
        finally:
            for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
                leftover.unlink(missing_ok=True)

    @staticmethod
    def _connect(path: Path, read_only: bool) -> duckdb.DuckDBPyConnection:
        """DuckDB locks the file per process: a second writer (or a reader while one writes) waits up to
        ``$CCHC_LOCK_WAIT`` seconds (default 15) for the first to finish, then fails with a clear message."""
        import time

        deadline = time.monotonic() + workspace.lock_wait()
        while True:
            try:
                # a file of another database (SQLite) must not make DuckDB fetch an extension from the network
                return duckdb.connect(
                    str(path),
                    read_only=read_only,
                    config={"autoinstall_known_extensions": False, "autoload_known_extensions": False},
                )
            except duckdb.IOException as exc:
                if "not a valid duckdb database" in str(exc).lower():
                    raise StoreError(
                        f"tệp {path} không phải kho dữ liệu DuckDB hợp lệ (bị hỏng, hoặc là tệp khác) — "
                        "khôi phục kho từ bản sao lưu, hoặc đổi tên tệp này rồi nhập lại số liệu "
                        "(cchc ingest …) vào kho mới"
                    ) from None
                if "lock" not in str(exc).lower():
                    raise StoreError(
                        f"không mở được kho dữ liệu {path} ({_first_line(exc)}) — kiểm tra đường dẫn "
                        "và quyền đọc ghi, hoặc chạy cchc doctor"
                    ) from None
                if time.monotonic() >= deadline:
                    raise StoreError(
                        f"kho dữ liệu {path} đang được một chương trình khác mở (lệnh cchc khác, hoặc "
                        "notebook giữ kết nối) — đóng chương trình đó rồi chạy lại"
                    ) from None
                time.sleep(0.2)
            except duckdb.Error as exc:
                raise StoreError(
                    f"không mở được kho dữ liệu {path} ({_first_line(exc)}) — kiểm tra đường dẫn và "
                    "quyền đọc ghi, hoặc chạy cchc doctor"
                ) from None

    def _check_schema(self) -> None:
        has_meta = _aggregate(self.con, "SELECT count(*) FROM information_schema.tables WHERE table_name = 'meta'")[0]
        if not has_meta:
            if self.read_only:
                raise StoreError(f"{self.path} không phải kho dữ liệu cchc (thiếu bảng meta)")
            self.con.execute("BEGIN")
            self.con.execute(_SCHEMA)
            self.con.execute(
                "INSERT INTO meta VALUES ('schema_version', ?), ('created_by', ?)", [str(SCHEMA_VERSION), __version__]
            )
            self.con.execute("COMMIT")
            return
        row = _one(self.con, "SELECT value FROM meta WHERE key = 'schema_version'")
        try:
            version = int(row[0]) if row else 0
        except (TypeError, ValueError):
            version = 0  # a value no version of the program wrote: refused below like any unknown version
        if version > SCHEMA_VERSION or version < 1:
            raise StoreError(
                f"kho {self.path} có phiên bản cấu trúc {version}, phần mềm này dùng {SCHEMA_VERSION} "
                "— cập nhật phần mềm hoặc dùng kho khác"
            )
        self.version = version
        if version < SCHEMA_VERSION and not self.read_only:
            self._migrate(version)

    def _migrate(self, version: int) -> None:
        """Bring an older store up to this version in one transaction; its data is kept as it is."""
        self.con.execute("BEGIN TRANSACTION")
        try:
            for v in range(version + 1, SCHEMA_VERSION + 1):
                self.con.execute(_MIGRATIONS[v])
            self.con.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", [str(SCHEMA_VERSION)])
            self.con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [f"migrated_from_{version}", __version__])
            self.con.execute("COMMIT")
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        self.version = SCHEMA_VERSION

    def has_table(self, name: str) -> bool:
        """A store opened read-only keeps its version: tables added later may be missing (read as empty)."""
        return bool(
            _aggregate(self.con, "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [name])[0]
        )

    # -- writing -----------------------------------------------------------------------------
    def ingest(self, batch: Batch, registry: Registry, command: str = "ingest") -> IngestReport:
        """Write a validated batch in one transaction; files stored before (same SHA-256) change nothing."""
        return self._ingest_files(
            batch.files,
            registry,
            command,
            "unit_month",
            lambda parsed, *args: self._write_report(parsed, *args),
        )

    def _write_report(self, parsed, sha: str, batch_id: int, now: dt.datetime, result: FileResult) -> None:
        self._write_rows(parsed.frame, parsed.columns, sha, batch_id, now, result)
        late = getattr(parsed, "late_by_field", None)
        if late is not None and late.height:
            self._write_late(late, sha, batch_id)
            result.inserted += late.height

    def ingest_scores(self, batch: ScoresBatch, registry: Registry) -> IngestReport:
        """Write validated self-assessment files, as ``ingest`` does: restated scores supersede, never overwrite."""
        return self._ingest_files(
            batch.files,
            registry,
            "ingest-scores",
            "self_scores",
            lambda parsed, *args: self._write_scores(parsed.frame, *args),
        )

    def ingest_dossiers(self, batch: DossierBatch, registry: Registry) -> IngestReport:
        """Write dossier-level files: their unit-month aggregates (superseding restated months, as ``ingest``
        does) and late dossiers by field."""

        def write(parsed, sha, batch_id, now, result):
            self._write_rows(parsed.months, frozenset(COUNT_COLUMNS), sha, batch_id, now, result)
            if parsed.late_by_field.height:
                self._write_late(parsed.late_by_field, sha, batch_id)

        return self._ingest_files(batch.files, registry, "ingest-dossiers", "dossiers", write)

    def _write_late(self, late: pl.DataFrame, sha: str, batch_id: int) -> None:
        late = late.with_columns(source_sha256=pl.lit(sha), batch_id=pl.lit(batch_id))
        rows = late.select("unit_id", "month", "field", "late", "source_sha256", "batch_id")
        with _arrow(self.con, "late_rows", rows):
            self.con.execute("INSERT INTO late_by_field SELECT * FROM late_rows")

    def sources(self) -> pl.DataFrame:
        """For each current unit-month: the kind and name of the file it came from."""
        return self.con.sql(
            "SELECT c.unit_id, c.month, f.kind, f.file_name FROM unit_month_current c "
            "JOIN files f ON f.sha256 = c.source_sha256"
        ).pl()

    def stored(self, shas: list[str]) -> dict[str, int]:
        """Which of these file hashes the store already holds, with their rows (validated when they came)."""
        if not shas:
            return {}
        rows = self.con.execute("SELECT sha256, n_rows FROM files WHERE list_contains(?, sha256)", [shas]).fetchall()
        return {sha: n or 0 for sha, n in rows}

    def file_kinds(self) -> dict[str, str]:
        """Each ingested file's kind ("statistics", "dossiers", "fields", …) by its SHA-256."""
        return {sha: kind or "" for sha, kind in self.con.execute("SELECT sha256, kind FROM files").fetchall()}

    def source_files(self) -> list[dict[str, str]]:
        """Every file ingested, in the order it came: its name, SHA-256 and when (for a run's manifest)."""
        rows = self.con.execute("SELECT file_name, sha256, ingested_at FROM files ORDER BY ingested_at, file_name")
        return [{"file_name": n, "sha256": s, "ingested_at": str(t)} for n, s, t in rows.fetchall()]

    def holds_all(self, paths: list[Path]) -> int | None:
        """When every one of ``paths`` is a file whose exact bytes the store holds: the rows they brought (an
        ingest of them changes nothing and returns at once, before any validation); else None."""
        from cchc_analysis.inputs.readers import sha256_file

        hashes = {p: sha256_file(p) for p in paths if p.is_file()}
        known = self.stored(list(hashes.values()))
        if not hashes or len(hashes) != len(paths) or not set(hashes.values()) <= set(known):
            return None
        return sum(known[h] for h in set(hashes.values()))

    def rows_held(self, keys: Iterable[tuple[str, dt.date]]) -> int:
        """How many of these (unit, month) the store already has a current row for."""
        held = set(self.current().select("unit_id", "month").iter_rows())
        return sum(1 for key in keys if key in held)

    def given(self, month: dt.date) -> dict[tuple[str, dt.date], set[str]]:
        """Per unit-month of ``month``: the columns any of its files carried, over its whole history (a report
        ingested a week later completes a row; an empty cell of a carried column is "not reported", not missing)."""
        rows = self.con.execute(
            "SELECT u.unit_id, u.month, f.columns FROM unit_month u JOIN files f ON f.sha256 = u.source_sha256 "
            "WHERE u.month = ?",
            [month],
        ).fetchall()
        out: dict[tuple[str, dt.date], set[str]] = {}
        for unit_id, m, columns in rows:
            out.setdefault((unit_id, m), set()).update(columns or [])
        return out

    def late_by_field(self) -> pl.DataFrame:
        schema = {"unit_id": pl.String, "month": pl.Date, "field": pl.String, "late": pl.Int64}
        if not self.has_table("late_by_field"):
            return pl.DataFrame(schema=schema)
        return self.con.sql("SELECT unit_id, month, field, late FROM late_by_field_current ORDER BY 1, 2, 3").pl()

    def _ingest_files(self, files: list, registry: Registry, command: str, kind: str, write) -> IngestReport:
        report = IngestReport()
        now = dt.datetime.now().replace(microsecond=0)
        con = self.con
        con.execute("BEGIN TRANSACTION")
        try:
            batch_id = _aggregate(con, "SELECT coalesce(max(batch_id), 0) + 1 FROM batches")[0]
            con.execute("INSERT INTO batches VALUES (?, ?, ?, ?)", [batch_id, now, command, __version__])
            self._save_units(registry)
            for parsed in files:
                if _one(con, "SELECT 1 FROM files WHERE sha256 = ?", [parsed.sha256]):
                    report.files.append(FileResult(parsed.name, "already", unchanged=parsed.frame.height))
                    continue
                result = FileResult(parsed.name, "new")
                write(parsed, parsed.sha256, batch_id, now, result)
                con.execute(
                    "INSERT INTO files VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        parsed.sha256,
                        parsed.name,
                        str(parsed.path.resolve()),
                        parsed.sheet,
                        getattr(parsed, "kind", kind),
                        parsed.frame.height,
                        sorted(getattr(parsed, "columns", parsed.frame.columns)),
                        batch_id,
                        now,
                    ],
                )
                report.files.append(result)
            if not any(f.status == "new" for f in report.files):
                con.execute("ROLLBACK")
                return report
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        return report

    def _write_scores(self, frame: pl.DataFrame, sha: str, batch_id: int, now: dt.datetime, result: FileResult) -> None:
        con = self.con
        old = con.execute(
            "SELECT row_id, period, unit_id, criterion_id, CAST(score AS VARCHAR), note FROM self_scores_current"
        ).fetchall()
        known = {(p, u, c): (rid, Decimal(sc), note) for rid, p, u, c, sc, note in old}
        start = _aggregate(con, "SELECT coalesce(max(row_id), 0) + 1 FROM self_scores")[0]
        inserts, links = [], []
        for r in frame.iter_rows(named=True):
            key = (r["period"], r["unit_id"], r["criterion_id"])
            before = known.get(key)
            if before is not None and before[1] == Decimal(r["score"]) and before[2] == r["note"]:
                result.unchanged += 1
                continue
            row_id = start + len(inserts)
            inserts.append((row_id, *key, r["score"], r["note"], sha, r["source_row"], batch_id, now))
            if before is None:
                result.inserted += 1
            else:
                result.superseded += 1
                links.append((row_id, now, before[0]))
        if inserts:  # executemany costs a round trip per row (1,3 s for the sample's 631 scores)
            names = [
                "row_id",
                "period",
                "unit_id",
                "criterion_id",
                "score",
                "note",
                "source_sha256",
                "source_row",
                "batch_id",
                "ingested_at",
            ]
            with _arrow(con, "new_scores", pl.DataFrame(inserts, schema=names, orient="row")):
                con.execute(
                    f"INSERT INTO self_scores ({', '.join(names)}) SELECT row_id, period, unit_id, criterion_id, "
                    "CAST(score AS DECIMAL(9, 3)), note, source_sha256, source_row, batch_id, ingested_at "
                    "FROM new_scores"
                )
        if links:
            with _arrow(con, "links", pl.DataFrame(links, schema=["new_id", "at", "old_id"], orient="row")):
                con.execute(
                    "UPDATE self_scores SET superseded_by = l.new_id, superseded_at = l.at FROM links l "
                    "WHERE self_scores.row_id = l.old_id"
                )

    def _save_units(self, registry: Registry) -> None:
        # row by row, a registry of 3.321 communes took 5 seconds
        rows = pl.DataFrame(
            [
                (u.id, u.name, u.short_name, u.kind, u.parent, registry.area, u.valid_from, u.valid_to)
                for u in registry.units
            ],
            schema={
                "id": pl.String,
                "name": pl.String,
                "short_name": pl.String,
                "kind": pl.String,
                "parent": pl.String,
                "area": pl.String,
                "valid_from": pl.Date,
                "valid_to": pl.Date,
            },
            orient="row",
        )
        with _arrow(self.con, "new_units", rows):
            self.con.execute("INSERT OR REPLACE INTO units SELECT * FROM new_units")

    def _write_rows(
        self,
        frame: pl.DataFrame,
        columns: frozenset[str],
        sha: str,
        batch_id: int,
        now: dt.datetime,
        result: FileResult,
    ) -> None:
        con = self.con
        with _arrow(con, "incoming", frame):
            old = con.sql("SELECT c.* FROM unit_month_current c JOIN incoming i USING (unit_id, month)").pl()
        old = old.select(["row_id", "unit_id", "month", *COUNT_COLUMNS]).rename({c: f"{c}__old" for c in COUNT_COLUMNS})
        merged = frame.join(old, on=["unit_id", "month"], how="left")
        # A column the file does not carry says nothing: keep what the superseded row knew. Rows combined from
        # several reports list the columns they were given.
        if "given" in merged.columns:
            merged = merged.with_columns(
                [
                    pl.when(pl.col("given").list.contains(c)).then(pl.col(c)).otherwise(pl.col(f"{c}__old")).alias(c)
                    for c in COUNT_COLUMNS
                ]
            )
        else:
            merged = merged.with_columns([pl.col(f"{c}__old").alias(c) for c in COUNT_COLUMNS if c not in columns])
        differs = pl.any_horizontal([pl.col(c).ne_missing(pl.col(f"{c}__old")) for c in COUNT_COLUMNS])
        merged = merged.with_columns(
            is_new=pl.col("row_id").is_null(),
            changed=pl.col("row_id").is_not_null() & differs,
        )
        to_write = merged.filter(pl.col("is_new") | pl.col("changed"))
        result.unchanged = merged.height - to_write.height
        result.inserted = int(to_write["is_new"].sum())
        result.superseded = int(to_write["changed"].sum())
        if to_write.is_empty():
            return
        start = _aggregate(con, "SELECT coalesce(max(row_id), 0) + 1 FROM unit_month")[0]
        to_write = to_write.with_row_index("offset").with_columns(new_id=pl.col("offset").cast(pl.Int64) + start)
        rows = to_write.select(
            pl.col("new_id").alias("row_id"),
            "unit_id",
            "month",
            *COUNT_COLUMNS,
            "unit_raw",
            pl.lit(sha).alias("source_sha256"),
            "source_row",
            pl.lit(batch_id).alias("batch_id"),
            pl.lit(now).alias("ingested_at"),
        )
        with _arrow(con, "new_rows", rows):
            cols = ", ".join(rows.columns)
            con.execute(f"INSERT INTO unit_month ({cols}) SELECT {cols} FROM new_rows")
        links = to_write.filter(pl.col("changed")).select(pl.col("row_id").alias("old_id"), "new_id")
        if links.height:
            con.executemany(
                "UPDATE unit_month SET superseded_by = ?, superseded_at = ? WHERE row_id = ?",
                [(new, now, old) for old, new in links.iter_rows()],
            )

    # -- reading -----------------------------------------------------------------------------
    def current(self) -> pl.DataFrame:
        """Current unit-month rows joined with unit names and kinds."""
        return self.con.sql(
            "SELECT u.name AS unit, u.kind AS unit_kind, u.area AS area, c.* FROM unit_month_current c "
            "LEFT JOIN units u ON u.id = c.unit_id ORDER BY c.month, c.unit_id"
        ).pl()

    def month_sources(self, month: dt.date) -> pl.DataFrame:
        """The current rows of one month with where each came from: the file, its row and the unit's name as that
        file wrote it (a row merged from several reports names one of them)."""
        return self.con.sql(
            "SELECT c.unit_id, u.name AS unit, u.area AS area, f.file_name, c.source_row, c.unit_raw "
            "FROM unit_month_current c LEFT JOIN units u ON u.id = c.unit_id "
            "LEFT JOIN files f ON f.sha256 = c.source_sha256 WHERE c.month = ? ORDER BY u.name",
            params=[month],
        ).pl()

    def mark_preview(self) -> None:
        """This store is the throwaway sample a run builds when there is no store: its documents say so."""
        self.con.execute("INSERT OR REPLACE INTO meta VALUES ('preview', 'so-lieu-mau')")

    def is_preview(self) -> bool:
        return _one(self.con, "SELECT 1 FROM meta WHERE key = 'preview'") is not None

    def period_commands(self, first: dt.date, last: dt.date, area: str) -> set[str]:
        """The commands that stored the current rows of ``area`` between the months ``first`` and ``last``."""
        rows = self.con.execute(
            "SELECT DISTINCT b.command FROM unit_month_current c JOIN units u ON u.id = c.unit_id "
            "JOIN batches b ON b.batch_id = c.batch_id WHERE c.month BETWEEN ? AND ? AND u.area = ?",
            [first, last, area],
        ).fetchall()
        return {r[0] for r in rows}

    def earlier(self, month: dt.date) -> set[str]:
        """Units holding data for a month before ``month``."""
        rows = self.con.execute("SELECT DISTINCT unit_id FROM unit_month_current WHERE month < ?", [month]).fetchall()
        return {r[0] for r in rows}

    def issued(self, period: str, area: str | None) -> bool:
        """Whether a letter for ``period`` of ``area`` is recorded as sent (``cchc issue``)."""
        if not self.has_table("letters"):
            return False
        return bool(
            _one(
                self.con,
                "SELECT 1 FROM letters WHERE period = ? AND (area = ? OR area IS NULL) AND NOT superseded",
                [period, area],
            )
        )

    def originals(self) -> pl.DataFrame:
        """Each unit-month as it was first stored (before any correction), shaped like ``current()``."""
        return self.con.sql(
            "SELECT u.name AS unit, u.kind AS unit_kind, u.area AS area, c.* FROM unit_month c "
            "LEFT JOIN units u ON u.id = c.unit_id "
            "QUALIFY row_number() OVER (PARTITION BY c.unit_id, c.month ORDER BY c.row_id) = 1 "
            "ORDER BY c.month, c.unit_id"
        ).pl()

    def scores(self, period: str | None = None) -> pl.DataFrame:
        """Current self-assessed scores (period, unit_id, criterion_id, score as text, note)."""
        schema = {
            "period": pl.String,
            "unit_id": pl.String,
            "criterion_id": pl.String,
            "score": pl.String,
            "note": pl.String,
        }
        if not self.has_table("self_scores"):
            return pl.DataFrame(schema=schema)
        where, args = ("WHERE period = ?", [period]) if period else ("", [])
        rows = self.con.execute(
            "SELECT period, unit_id, criterion_id, CAST(score AS VARCHAR), note "
            f"FROM self_scores_current {where} ORDER BY 1, 2, 3",
            args,
        ).fetchall()
        return pl.DataFrame(rows, schema=schema, orient="row")

    def summary(self, area: str | None = None) -> dict[str, Any]:
        """Files, rows and letters of the whole store; months and missing units of ``area`` (all areas: None)."""
        con = self.con
        total, current = _aggregate(
            con, "SELECT count(*), count(*) FILTER (WHERE superseded_by IS NULL) FROM unit_month"
        )
        months = con.execute(
            """
            SELECT strftime(c.month, '%Y-%m') AS month, count(*) AS units,
                   count(*) FILTER (WHERE u.kind IN ('xa', 'thi_tran', 'phuong', 'dac_khu')) AS commune_level,
                   count(*) FILTER (WHERE u.kind NOT IN ('xa', 'thi_tran', 'phuong', 'dac_khu')) AS departments,
                   coalesce(sum(c.tiep_nhan), 0) AS received
            FROM unit_month_current c LEFT JOIN units u ON u.id = c.unit_id
            WHERE ?::VARCHAR IS NULL OR u.area = ?
            GROUP BY 1 ORDER BY 1""",
            [area, area],
        ).fetchall()
        missing = con.execute(
            """
            SELECT strftime(m.month, '%Y-%m'), list(u.name ORDER BY u.name)
            FROM (SELECT DISTINCT month FROM unit_month_current) m
            CROSS JOIN units u
            WHERE (u.valid_from IS NULL OR u.valid_from <= last_day(m.month))
              AND (u.valid_to IS NULL OR u.valid_to >= m.month)
              AND u.id IN (SELECT DISTINCT unit_id FROM unit_month_current)
              AND NOT EXISTS (SELECT 1 FROM unit_month_current c WHERE c.unit_id = u.id AND c.month = m.month)
              AND (?::VARCHAR IS NULL OR u.area = ?)
            GROUP BY 1 ORDER BY 1""",
            [area, area],
        ).fetchall()
        missing_by_month = dict(missing)
        return {
            "store": str(self.path),
            "area": area,
            "schema_version": SCHEMA_VERSION,
            "files": _aggregate(con, "SELECT count(*) FROM files")[0],
            "rows": total,
            "current_rows": current,
            "superseded_rows": total - current,
            "units": _aggregate(con, "SELECT count(DISTINCT unit_id) FROM unit_month_current")[0],
            "letters": _aggregate(con, "SELECT count(*) FROM letters")[0],
            "months": [
                {
                    "month": m,
                    "units": n,
                    "commune_level": cl,
                    "departments": dp,
                    "received": int(rec),
                    "missing": missing_by_month.get(m, []),
                }
                for m, n, cl, dp, rec in months
            ],
        }

    def history(self) -> pl.DataFrame:
        """Every superseded row beside the row that replaced it, with the figures that changed."""
        pairs = self.con.sql(f"""
            SELECT u.name AS unit, strftime(o.month, '%Y-%m') AS month, o.superseded_at,
                   fo.file_name AS old_file, o.source_row AS old_row, fn.file_name AS new_file, n.source_row AS new_row,
                   {", ".join(f"o.{c} AS {c}__old, n.{c} AS {c}__new" for c in COUNT_COLUMNS)}
            FROM unit_month o
            JOIN unit_month n ON n.row_id = o.superseded_by
            LEFT JOIN units u ON u.id = o.unit_id
            LEFT JOIN files fo ON fo.sha256 = o.source_sha256
            LEFT JOIN files fn ON fn.sha256 = n.source_sha256
            ORDER BY o.superseded_at, o.month, u.name""").pl()
        changes = []
        for row in pairs.iter_rows(named=True):
            diffs = [
                f"{c}: {_fmt(row[c + '__old'])} → {_fmt(row[c + '__new'])}"
                for c in COUNT_COLUMNS
                if row[c + "__old"] != row[c + "__new"]
            ]
            changes.append("; ".join(diffs))
        return pairs.select(
            "unit", "month", "superseded_at", "old_file", "old_row", "new_file", "new_row"
        ).with_columns(changes=pl.Series(changes, dtype=pl.String))


def _aggregate(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> tuple:
    """The one row of an aggregate query (count, max …), which always has one."""
    return con.execute(sql, params or []).fetchall()[0]


@contextmanager
def _arrow(con: duckdb.DuckDBPyConnection, name: str, frame: pl.DataFrame) -> Iterator[None]:
    """``frame`` visible to SQL as ``name`` for the block: rows go in as one Arrow table, not one call per row."""
    con.register(name, frame.to_arrow())
    try:
        yield
    finally:
        con.unregister(name)


def _one(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> tuple | None:
    """First row of a query, reading the result to its end so the connection is free for the next one."""
    rows = con.execute(sql, params or []).fetchall()
    return rows[0] if rows else None


def _fmt(v: int | None) -> str:
    return "trống" if v is None else str(v)


# -- issued letters ------------------------------------------------------------------------------
def _findings_hash(findings: pl.DataFrame) -> str:
    import hashlib

    canonical = findings.sort(findings.columns).write_csv() if findings.height else ""
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def issue_letter(
    store: Store, period: str, findings: pl.DataFrame, params_json: str, force: bool = False, area: str | None = None
) -> str:
    """Record ``findings`` as ``area``'s letter sent for ``period``. Returns "new", "same" or "replaced"."""
    con = store.con
    digest = _findings_hash(findings)
    latest = _one(
        con,
        "SELECT version, findings_sha256 FROM letters WHERE period = ? AND (area = ? OR area IS NULL) "
        "AND NOT superseded ORDER BY version DESC LIMIT 1",
        [period, area],
    )
    if latest and latest[1] == digest:
        return "same"
    if latest and not force:
        raise StoreError(
            f"văn bản kỳ {period} đã được ghi nhận là đã ban hành với nội dung khác — "
            "thêm --force để ghi phiên bản mới (phiên bản cũ vẫn được lưu)"
        )
    # versions count per period across areas: (period, version) identifies a letter and its findings
    version = _aggregate(con, "SELECT coalesce(max(version), 0) + 1 FROM letters WHERE period = ?", [period])[0]
    now = dt.datetime.now().replace(microsecond=0)
    con.execute("BEGIN TRANSACTION")
    try:
        if latest:
            con.execute(
                "UPDATE letters SET superseded = TRUE WHERE period = ? AND (area = ? OR area IS NULL)", [period, area]
            )
        con.execute(
            "INSERT INTO letters (period, version, issued_at, findings_sha256, params_json, superseded, area) "
            "VALUES (?, ?, ?, ?, ?, FALSE, ?)",
            [period, version, now, digest, params_json, area],
        )
        if findings.height:
            # the table's own columns (its DDL is where they are declared), in its order
            columns = [c[0] for c in con.execute("SELECT * FROM letter_findings LIMIT 0").description]
            rows = findings.with_columns(period=pl.lit(period), version=pl.lit(version)).select(columns)
            with _arrow(con, "issued", rows):
                con.execute("INSERT INTO letter_findings SELECT * FROM issued")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return "replaced" if latest else "new"


def issued_sanctions(store: Store, year: int, before: dt.date) -> dict[str, int]:
    """Per unit: letters of ``year`` issued for months before ``before`` that gave it a formal sanction."""
    rows = store.con.execute(
        """
        SELECT f.unit_id, count(DISTINCT f.period)
        FROM letter_findings f JOIN letters l ON l.period = f.period AND l.version = f.version AND NOT l.superseded
        WHERE f.kind = 'escalate' AND f.period LIKE ? AND f.period < ?
        GROUP BY 1""",
        [f"{year:04d}-%", before.strftime("%Y-%m")],
    ).fetchall()
    return dict(rows)


def unissued_months(store: Store, year: int, before: dt.date, area: str | None = None) -> list[str]:
    """Months of ``year`` before ``before`` that hold data (of ``area``, when given) and have no letter recorded as
    issued: the ladder cannot see them. A month with no data at all (before an area existed) needs no letter."""
    issued = {
        p
        for (p,) in store.con.execute(
            "SELECT DISTINCT period FROM letters WHERE NOT superseded AND period LIKE ?"
            + (" AND (area = ? OR area IS NULL OR ? IS NULL)" if store.version >= 5 else ""),
            [f"{year:04d}-%", area, area] if store.version >= 5 else [f"{year:04d}-%"],
        ).fetchall()
    }
    held = {
        m.strftime("%Y-%m")
        for (m,) in store.con.execute(
            "SELECT DISTINCT c.month FROM unit_month_current c JOIN units u ON u.id = c.unit_id "
            "WHERE year(c.month) = ? AND c.month < ? AND (? IS NULL OR u.area = ?)",
            [year, before, area, area],
        ).fetchall()
    }
    return [m for m in sorted(held) if m not in issued]


def refuse_given_both_ways(path: Path, files: list, registry: Registry, other: str, prefer: str | None) -> None:
    """Without ``--prefer``, a month the store already holds from the other kind of input is refused."""
    if not path.exists() or prefer is not None:
        return
    with Store.open(path, read_only=True) as st:
        sources = st.sources()
    clash = _given_both_ways(files, sources, registry, other)
    if clash:
        raise DataRejected(clash)


def _given_both_ways(files: list, sources, registry: Registry, other: str) -> list:
    """Unit-months the files give that the store holds from files of the ``other`` kind ("unit_month"
    statistics or "dossiers" lists): one way per month, unless --prefer says which wins."""
    held = sources.filter(sources["kind"] == other)
    what = (
        ("số liệu tổng hợp", "--prefer dossiers để thay bằng số liệu tính từ danh sách hồ sơ")
        if other == "unit_month"
        else ("số liệu tính từ danh sách hồ sơ", "--prefer statistics để thay bằng số liệu tổng hợp")
    )
    problems = []
    for f in files:
        clash = f.frame.select("unit_id", "month").join(held, on=["unit_id", "month"], how="inner")
        for r in clash.head(5).iter_rows(named=True):
            problems.append(
                Problem(
                    f.name,
                    f"«{registry.by_id[r['unit_id']].name}» tháng {r['month']:%m/%Y} đã có "
                    f"{what[0]} từ {r['file_name']} — thêm {what[1]}",
                )
            )
        if clash.height > 5:
            problems.append(Problem(f.name, f"và {clash.height - 5} đơn vị – tháng khác cũng đã có {what[0]}"))
    return problems


def is_damage(exc: BaseException) -> bool:
    """A DuckDB error that says the file itself is bad (not a bug in a query)."""
    text = str(exc).lower()
    return isinstance(exc, duckdb.IOException) or any(w in text for w in ("corrupt", "checksum", "not read enough"))


def damaged(exc: Exception) -> StoreError:
    """A DuckDB error met while reading a store that opened: the file is damaged (truncated, overwritten)."""
    return StoreError(
        f"kho dữ liệu bị hỏng hoặc không đọc hết được ({_first_line(exc)}) — khôi phục kho từ bản sao "
        "lưu, hoặc đổi tên tệp kho rồi nhập lại số liệu (cchc ingest …) vào kho mới; cchc doctor kiểm "
        "tra kho"
    )


def _first_line(exc: Exception) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
