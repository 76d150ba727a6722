"""``cchc run``: execute a notebook with papermill and render its outputs, all or nothing.

Everything is written to a temporary folder beside the destination and moved into ``OUT/PERIOD`` only when
every step succeeded; a failed run is left as ``OUT/PERIOD.failed`` (with the executed notebook, to read the
error), never where a finished run would be. ``manifest.json`` records inputs, parameters and versions.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cchc_analysis import __version__
from cchc_analysis.compute.completeness import missing_months
from cchc_analysis.core import config, workspace
from cchc_analysis.core.exceptions import CchcError, RunError, UsageError, os_reason
from cchc_analysis.core.periods import Month, ReportPeriod
from cchc_analysis.inputs.readers import sha256_file as sha256
from cchc_analysis.runs.inputs import RunInputs
from cchc_analysis.runs.kernel import KERNEL, KERNEL_ARGUMENTS, WarmKernel, quiet_kernel_manager

if TYPE_CHECKING:
    from cchc_analysis.documents.document import Document

JUPYTERLAB_ONLY = "chi-trong-jupyterlab"  # a notebook cell with this tag is left out of the HTML
RUNNING = ".cchc-dang-chay"  # marks a run's temporary folder: only such a folder is ever removed as a leftover
_LIBRARIES = (
    "polars",
    "duckdb",
    "papermill",
    "nbconvert",
    "altair",
    "vl-convert-python",
    "typst",
    "openpyxl",
    "babel",
    "pydantic",
    "jinja2",
)


@dataclass
class Progress:
    """One line per step (rich), or nothing with ``quiet``."""

    quiet: bool = False
    steps: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def warn(self, text: str) -> None:
        """A warning the analyst must see, ``--quiet`` or not (on stderr); kept in the manifest too."""
        from rich.console import Console

        self.warnings.append(text)
        Console(stderr=True, highlight=False, soft_wrap=True).print(f"[yellow]cảnh báo:[/] {text}")

    @contextmanager
    def step(self, label: str) -> Iterator[None]:
        start = time.perf_counter()
        yield
        self.done(label, time.perf_counter() - start)

    def done(self, label: str, seconds: float, note: str = "") -> None:
        """A step finished in ``seconds`` (measured here, or in the process that ran it)."""
        self.steps.append({"step": label, "seconds": round(seconds, 3)})
        if not self.quiet:
            from rich.console import Console

            from cchc_analysis.core.formatting import number

            Console(highlight=False).print(f"[green]✓[/] {label} ({number(seconds, 1)} giây{note})")


def library_versions() -> dict[str, str]:
    out = {"python": platform.python_version(), "cchc-workbook": __version__}
    for name in _LIBRARIES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def execute_notebook(name: str, folder: Path, parameters: dict[str, Any], kernel: WarmKernel | None = None) -> Path:
    """Run ``notebooks/<name>.ipynb`` into ``folder`` (in ``kernel`` when a batch shares one, else in a kernel of
    its own); a failing cell becomes a one-line ``RunError``. Parameters are passed as data (papermill writes them
    as Python literals), never as code."""
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    source = workspace.notebook(name)
    target = folder / f"{name}.ipynb"
    shared = {"km": kernel.manager()} if kernel is not None else {}
    try:
        pm.execute_notebook(
            str(source),
            str(target),
            parameters=parameters,
            kernel_name=KERNEL,
            progress_bar=False,
            log_output=False,
            request_save_on_cell_execute=False,  # saved once at the end: the run reads it only then
            cwd=str(folder),
            extra_arguments=KERNEL_ARGUMENTS,
            kernel_manager_class=quiet_kernel_manager(workspace.find_workspace()),
            **shared,
        )
    except PapermillExecutionError as exc:
        lines = [ln.strip() for ln in (exc.source or "").splitlines() if ln.strip()][:2]
        where = " ⏎ ".join(lines)
        raise RunError(
            f"notebook {name}.ipynb lỗi ở ô số {exc.exec_count} «{where[:160]}»: {exc.ename}: {str(exc.evalue)[:300]}"
        ) from None
    return target


def notebook_html(notebook: Path, title: str = "") -> Path:
    """The executed notebook as HTML without code cells (what an official reads), titled ``title`` (the document,
    its period and its area: the browser's tab and a saved page say what they are)."""
    import nbformat
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    exporter = HTMLExporter(
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        template_name="notebook_offline",
        language_code="vi",
        extra_template_basedirs=[str(config.PACKAGE_DIR / "templates")],
    )
    # how to work the notebook in JupyterLab is for the analyst, not for the official who reads the HTML
    exporter.register_preprocessor(
        TagRemovePreprocessor(remove_cell_tags={JUPYTERLAB_ONLY}, enabled=True), enabled=True
    )
    resources = {"metadata": {"name": title or notebook.stem}}
    body, _ = exporter.from_notebook_node(nbformat.read(notebook, as_version=4), resources=resources)
    target = notebook.with_suffix(".html")
    target.write_text(body, encoding="utf-8")
    return target


@dataclass
class RunFolder:
    """The temporary folder a run writes into, and how it becomes final."""

    root: Path
    name: str
    tmp: Path
    made_root: bool = False  # the run created ``root``: a run refused before any output removes it again
    warning: str | None = None  # the run goes beside a folder holding the analyst's own files

    @classmethod
    def create(cls, root: Path, name: str) -> RunFolder:
        """The temporary folder of a run that will become ``root/name``. A ``root/name`` that cchc did not make
        (no manifest) is refused; one holding files the analyst added or edited is kept, and the run goes beside
        it (``name-chay-lai-N``). Temporary folders a killed run of the same period left behind are removed."""
        if not name or Path(name).name != name or name in {".", ".."}:
            raise UsageError(f"tên thư mục kết quả không hợp lệ: «{name}»")
        if root.exists() and not root.is_dir():
            raise UsageError(f"«{root}» là một tệp, không phải thư mục — chọn thư mục khác cho --out")
        warning = None
        final = root / name
        if final.exists():
            if not (final / "manifest.json").is_file():
                raise UsageError(
                    f"đã có thư mục «{final}» không phải kết quả của cchc (không có manifest.json) — chọn thư mục "
                    "khác cho --out, hoặc đổi tên thư mục đó; cchc không ghi đè tệp không do nó tạo"
                )
            if own := analyst_files(final):
                n = 1
                while (root / f"{name}-chay-lai-{n}").exists():
                    n += 1
                shown = ", ".join(own[:3]) + (f" và {len(own) - 3} tệp khác" if len(own) > 3 else "")
                warning = (
                    f"{final} có tệp đã sửa hoặc thêm ({shown}): giữ nguyên, bản chạy lại ghi vào "
                    f"{root / f'{name}-chay-lai-{n}'}"
                )
                name = f"{name}-chay-lai-{n}"
        made_root = not root.exists()
        try:
            root.mkdir(parents=True, exist_ok=True)
            _remove_leftovers(root, name)
            tmp = Path(tempfile.mkdtemp(prefix=f".{name}-{os.getpid()}-", dir=root))
        except OSError as exc:
            raise UsageError(
                f"không ghi được vào thư mục kết quả «{root}» ({os_reason(exc)}) — "
                "chọn thư mục khác cho --out, hoặc xin quyền ghi vào thư mục này"
            ) from None
        tmp.chmod(0o755)  # mkdtemp makes it private; the finished folder is shared like any other output
        (tmp / RUNNING).write_text("", encoding="utf-8")
        return cls(root, name, tmp, made_root, warning)

    def discard(self) -> None:
        shutil.rmtree(self.tmp, ignore_errors=True)
        if self.made_root:
            try:
                self.root.rmdir()
            except OSError:
                pass

    @property
    def final(self) -> Path:
        return self.root / self.name

    def commit(self) -> Path:
        (self.tmp / RUNNING).unlink(missing_ok=True)
        old = None
        if self.final.exists():
            if not (self.final / "manifest.json").is_file() or analyst_files(self.final):  # made while we ran
                self.fail()
                raise UsageError(
                    f"«{self.final}» vừa có tệp không do cchc tạo — giữ nguyên; chạy lại lệnh để ghi vào thư mục mới"
                )
            old = self.root / f".{self.name}-{os.getpid()}-old"
            self.final.rename(old)
            (old / RUNNING).write_text("", encoding="utf-8")  # removed below, or by the next run if killed here
        self.tmp.rename(self.final)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
        failed = self.root / f"{self.name}.failed"
        if failed.exists() and not analyst_files(failed):  # a failed run's folder, unless the analyst kept notes there
            shutil.rmtree(failed, ignore_errors=True)
        return self.final

    def fail(self) -> Path:
        (self.tmp / RUNNING).unlink(missing_ok=True)
        (self.tmp / "manifest.json").unlink(missing_ok=True)  # a failed run has no manifest: its files are listed
        (self.tmp / "manifest.json").write_text(
            json.dumps({"failed": True, "outputs": {p.name: sha256(p) for p in self.tmp.iterdir() if p.is_file()}}),
            encoding="utf-8",
        )
        failed = self.root / f"{self.name}.failed"
        if failed.exists():
            if analyst_files(failed):  # the analyst's notes in an older failed run stay where they are
                n = 2
                while (self.root / f"{self.name}.failed-{n}").exists():
                    n += 1
                failed = self.root / f"{self.name}.failed-{n}"
            else:
                shutil.rmtree(failed)
        self.tmp.rename(failed)
        return failed


def analyst_files(folder: Path) -> list[str]:
    """Files in a run's folder that the run did not write as they are now: added since, or edited (their hash is
    not the manifest's): an edited letter, a note, the notebook saved again in JupyterLab."""
    try:
        written = json.loads((folder / "manifest.json").read_text(encoding="utf-8")).get("outputs", {})
    except (OSError, ValueError, AttributeError):
        written = {}
    out = []
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if path.is_dir() or rel == "manifest.json":
            continue
        if rel not in written or sha256(path) != written[rel]:
            out.append(rel)
    return out


def _remove_leftovers(root: Path, name: str) -> None:
    """The hidden folders of earlier runs of ``name`` whose process is gone (killed before it could tidy up):
    ``.NAME-PID-xxxx`` while running, ``.NAME-PID-old`` while replacing. A live run's are left alone."""
    import re

    pattern = re.compile(rf"\.{re.escape(name)}-(\d+)-(?:old|[a-z0-9_]{{8}})")
    for path in root.iterdir():
        found = pattern.fullmatch(path.name)
        # only a folder a run marked as its own: an analyst's ".2023-05-2024-ban-luu" is never touched
        if found and path.is_dir() and (path / RUNNING).is_file() and not _alive(int(found.group(1))):
            shutil.rmtree(path, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's live process
        return True
    return True


def run_steps(folder: RunFolder, steps: Callable[[Path, Progress], dict[str, Any]], progress: Progress) -> Path:
    """Run ``steps`` in the temporary folder, write the manifest, and move the folder into place."""
    started = dt.datetime.now().astimezone().replace(microsecond=0)
    try:
        manifest = steps(folder.tmp, progress)
        outputs = {p.name: sha256(p) for p in sorted(folder.tmp.iterdir()) if p.is_file()}
        manifest.update(
            {
                "created_at": started.isoformat(),
                "package_version": __version__,
                "versions": library_versions(),
                "steps": progress.steps,
                "outputs": outputs,
            }
        )
        (folder.tmp / "manifest.json").write_text(
            json.dumps(manifest, ensure_ascii=False, indent=2, default=str), encoding="utf-8"
        )
    except Exception as exc:
        from cchc_analysis.store.database import damaged, is_damage

        if isinstance(exc, RunError):
            failed = folder.fail()
            raise RunError(f"{exc} — chưa tạo kết quả; bản chạy lỗi để xem ở {failed}") from None
        if isinstance(exc, CchcError) or is_damage(exc):
            # the data, the store or the call was refused before any output was made: nothing to inspect
            folder.discard()
            raise (exc if isinstance(exc, CchcError) else damaged(exc)) from None
        folder.fail()
        raise
    except BaseException:
        folder.fail()
        raise
    return folder.commit()


def inputs_of(store: Path, params_sources: list[Path], notebook: str) -> dict[str, Any]:
    """The files a run read, with their SHA-256, and the source files recorded in the store."""
    from cchc_analysis.store.database import Store

    files = [{"path": str(p), "sha256": sha256(p)} for p in params_sources if p.is_file()]
    nb = workspace.notebook(notebook)
    files.append({"path": str(nb), "sha256": sha256(nb)})
    with Store.open(store, read_only=True) as st:
        sources = st.source_files()
    return {"files": files, "store": {"path": str(store), "source_files": sources}}


def run_monthly(
    inputs: RunInputs,
    quiet: bool = False,
    allow_partial: bool = False,
    force: bool = False,
    kernel: WarmKernel | None = None,
) -> Path:
    """``cchc run monthly``: the review notebook, the letter as Word (``cong-van-PERIOD.docx``), findings.csv,
    indicators.csv, the appendix as HTML, PDF, XLSX and Word, and manifest.json in ``OUT/PERIOD``. ``kernel``: the
    notebook runs in a batch's shared kernel (``runs.kernel.warm_kernel``)."""
    from cchc_analysis.core.params import unset_warning
    from cchc_analysis.documents.annexes import monthly_document
    from cchc_analysis.documents.letter import build_letter
    from cchc_analysis.documents.monthly import findings_csv, indicators_csv, load_review
    from cchc_analysis.render import write_csv, write_template

    month = inputs.period
    assert isinstance(month, Month)

    def build(tmp: Path, store_file: Path, progress: Progress) -> Built:
        with progress.step("Đọc kho dữ liệu, tính chỉ tiêu và nội dung văn bản"):
            review = load_review(month, inputs.params, inputs.registry, store_file, allow_partial)
        for text in review.warnings():
            progress.warn(text)
        if blank := unset_warning(review.params, month):
            progress.warn(blank)
        with progress.step("Ghi findings.csv, indicators.csv"):
            write_csv(findings_csv(review), tmp / "findings.csv")
            write_csv(indicators_csv(review), tmp / "indicators.csv")
        with progress.step(f"Dự thảo công văn (cong-van-{month}.docx)"):
            letter = build_letter(review)
            write_template("cong-van.docx", vars(letter), tmp / f"cong-van-{month}.docx", letter.texts())
        for text in letter.warnings:
            progress.warn(text)
        # each sentence of the letter with the findings (findings.csv) it rests on
        facts = {"missing_months": missing_months(review.gaps), "letter_sentences": letter.trace()}
        return Built(monthly_document(review), facts)

    return _run(
        RunKind("monthly", "01_monthly_review", "Rà soát cải cách hành chính", {"allow_partial": allow_partial}),
        inputs,
        build,
        quiet,
        kernel=kernel,
        **_rerun_folder(inputs, force),
    )


def _rerun_folder(inputs: RunInputs, force: bool) -> dict[str, Any]:
    """Where a rerun of a month whose letter was sent goes: never over the outputs that went with the letter,
    unless ``force``; the warning says which."""
    from cchc_analysis.store.database import Store

    month, root = inputs.period, inputs.out
    if inputs.store is None or not (root / str(month)).exists():
        return {}
    with Store.open(inputs.store, read_only=True) as st:
        issued = st.issued(str(month), inputs.params.area_id)
    if not issued:
        return {}
    label = month.label()
    if force:
        return {"warning": f"văn bản {label} đã ban hành (cchc issue); --force: ghi đè {root / str(month)}"}
    n = 1
    while (root / f"{month}-chay-lai-{n}").exists():
        n += 1
    name = f"{month}-chay-lai-{n}"
    return {
        "folder_name": name,
        "warning": f"văn bản {label} đã ban hành (cchc issue): giữ nguyên {root / str(month)}, bản chạy lại ghi vào "
        f"{root / name} — thêm --force để ghi đè",
    }


def run_semiannual(
    inputs: RunInputs, quiet: bool = False, allow_partial: bool = False, kernel: WarmKernel | None = None
) -> Path:
    """``cchc run semiannual``: the report notebook, the annexes (handling, digitization, payment,
    e-certification, late dossiers, CCHC index estimate, 766 index) as HTML, PDF and XLSX, scores.csv and
    manifest.json in ``OUT/PERIOD``."""
    from cchc_analysis.core.params import unset_warning
    from cchc_analysis.documents.annexes import semiannual_document
    from cchc_analysis.documents.report import build_report
    from cchc_analysis.documents.semiannual import load_semiannual, scores_csv
    from cchc_analysis.render import write_csv, write_template

    period = inputs.period
    assert isinstance(period, ReportPeriod)

    def build(tmp: Path, store_file: Path, progress: Progress) -> Built:
        with progress.step("Đọc kho dữ liệu, tính chỉ tiêu và điểm CCHC ước tính"):
            review = load_semiannual(period, inputs.params, inputs.registry, store_file, allow_partial)
        for text in review.notes():
            progress.warn(text.removeprefix("Lưu ý: "))
        if blank := unset_warning(review.params, period):
            progress.warn(blank)
        with progress.step("Ghi scores.csv"):
            write_csv(scores_csv(review), tmp / "scores.csv")
        with progress.step(f"Dự thảo báo cáo (bao-cao-{period}.docx)"):
            report = build_report(review)
            write_template("bao-cao.docx", vars(report), tmp / f"bao-cao-{period}.docx", report.texts())
        facts = {"missing_months": missing_months(review.gaps)}
        return Built(semiannual_document(review), facts)

    kind = RunKind(
        "semiannual", "02_semiannual_report", "Báo cáo cải cách hành chính", {"allow_partial": allow_partial}
    )
    return _run(kind, inputs, build, quiet, kernel=kernel)


def run_anomalies(
    inputs: RunInputs, quiet: bool = False, kernel: WarmKernel | None = None, unit: str | None = None
) -> Path:
    """``cchc run anomalies``: the exploration page (the notebook's no-code HTML: pickers, heatmaps, the reports
    missing, a table to sort and search) and anomalies.csv in ``OUT/PERIOD-bat-thuong``; ``unit`` (as an analyst
    writes it): the same, locked to that unit, in ``OUT/PERIOD-bat-thuong-UNIT_ID``."""
    from cchc_analysis.compute.anomalies import labelled, load_anomalies, unit_ids
    from cchc_analysis.render import write_csv

    month = inputs.period
    assert isinstance(month, Month)
    wanted = unit_ids(inputs.registry, [unit]) if unit else []

    def build(tmp: Path, store_file: Path, progress: Progress) -> Built:
        with progress.step("Kiểm tra bất thường"):
            found, _ = load_anomalies(month, inputs.params, inputs.registry, store_file, [unit] if unit else None)
            write_csv(labelled(found), tmp / "anomalies.csv")
        return Built()

    title = "Khám phá bất thường"
    if wanted:
        name = inputs.registry.by_id[wanted[0]].name
        kind = RunKind("anomalies", "03_anomalies", f"{title} của {name}", {"units": name})
        return _run(kind, inputs, build, quiet, folder_name=f"{month}-bat-thuong-{wanted[0]}", kernel=kernel)
    kind = RunKind("anomalies", "03_anomalies", title)
    return _run(kind, inputs, build, quiet, folder_name=f"{month}-bat-thuong", kernel=kernel)


def page_title(what: str, period: Any, inputs: RunInputs) -> str:
    """ "Rà soát cải cách hành chính tháng 5/2023 — huyện Tứ Kỳ": the document, its period and its area."""
    area = inputs.params.document.issuer.removeprefix("UBND").strip() or inputs.params.area_name
    return f"{what} {period.label()} — {area}"


@dataclass(frozen=True)
class RunKind:
    name: str  # "monthly": the manifest's command is "run monthly"
    notebook: str
    title: str  # what the notebook's page is, before its period and area: "Rà soát cải cách hành chính"
    notebook_parameters: dict[str, Any] = field(default_factory=dict)  # beyond the run's inputs


@dataclass(frozen=True)
class Built:
    """What a run's own step made for the shared ones: the appendix (none for anomalies) and manifest facts."""

    document: Document | None = None
    facts: dict[str, Any] = field(default_factory=dict)


def _run(
    kind: RunKind,
    inputs: RunInputs,
    build: Callable[[Path, Path, Progress], Built],
    quiet: bool,
    folder_name: str | None = None,
    warning: str | None = None,
    kernel: WarmKernel | None = None,
) -> Path:
    """The steps every run shares: store (or sample), the package's figures (``build``), the notebook, its
    no-code HTML, the appendix (when ``build`` gives one) as HTML, PDF and XLSX, and the manifest."""
    from cchc_analysis.render import write_appendix
    from cchc_analysis.runs.beside import Beside

    progress = Progress(quiet)
    if warning:
        progress.warn(warning)
    period = inputs.period
    folder = RunFolder.create(inputs.out, folder_name or str(period))
    if folder.warning:
        progress.warn(folder.warning)

    def steps(tmp: Path, progress: Progress) -> dict[str, Any]:
        store_file = store_or_sample(inputs.store, tmp, progress)
        built = build(tmp, store_file, progress)
        with ExitStack() as running:
            # the appendix depends only on the figures: it is written on the other core while the notebook runs
            appendix = (
                running.enter_context(Beside("phụ lục", write_appendix, built.document, tmp, f"phu-luc-{period}"))
                if built.document is not None
                else None
            )
            with progress.step(f"Chạy notebook {kind.notebook}"):
                nb = execute_notebook(
                    kind.notebook, tmp, {**inputs.notebook_parameters(store_file), **kind.notebook_parameters}, kernel
                )
            with progress.step("Xuất notebook ra HTML (không có mã)"):
                notebook_html(nb, page_title(kind.title, period, inputs))
            pages = None
            if appendix is not None:
                pages, written = appendix.result()
                for label, seconds in written:
                    progress.done(label, seconds, ", song song với notebook")
        manifest = {
            "command": f"run {kind.name}",
            "period": str(period),
            "pdf_pages": pages,
            "warnings": progress.warnings,
            **built.facts,
            "parameters": json.loads(inputs.params.model_dump_json()),
            "inputs": inputs_of(store_file, list(inputs.sources), kind.notebook),
        }
        if store_file.parent == tmp:
            manifest["inputs"]["store"]["path"] = "số liệu mẫu (cchc ingest --sample)"
            store_file.unlink()
        return manifest

    return run_steps(folder, steps, progress)


def store_or_sample(store: Path | None, tmp: Path, progress: Progress) -> Path:
    """The store to read (``RunInputs.store``); with none at all, a throwaway one holding the embedded sample,
    so that a new user sees every output in one command."""
    from cchc_analysis.runs.sample import build_sample_store

    if store is not None:
        return store
    with progress.step("Chưa có kho dữ liệu: dùng số liệu mẫu Tứ Kỳ 2023"):
        return build_sample_store(tmp / "sample.duckdb")
