"""Where everything comes from: params, unit registries, criteria, notebooks, the store and the outputs.

One lookup order, for every file on its own:
1. an explicit option (``--params FILE``, ``--area`` as a path to a CSV, ``--store``, ``--out``);
2. the workspace found from the current folder upwards: a folder holding ``params/defaults.yaml`` or the
   marker ``.cchc-workspace`` (what ``cchc init`` makes; the repository is one);
3. ``$CCHC_HOME``, a workspace named by the environment (a shared drive, say);
4. the defaults packaged with the program (in the wheel: ``cchc_analysis/defaults``; in a source checkout:
   the repository's own ``params/`` and ``notebooks/``).
The store is ``data/cchc.duckdb`` and outputs go to ``outputs/`` of the workspace (else of ``$CCHC_HOME``,
else of the current folder), never inside the installed package.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from cchc_analysis.core.config import DEFAULT_AREA, PACKAGE_DIR
from cchc_analysis.core.exceptions import UsageError, os_reason

MARKER = ".cchc-workspace"


@dataclass(frozen=True)
class Source:
    """A folder things are looked up in, and what to call it in messages."""

    kind: str  # "workspace", "CCHC_HOME", "packaged"
    root: Path

    def label(self) -> str:
        return {"workspace": "thư mục làm việc", "CCHC_HOME": "CCHC_HOME", "packaged": "mặc định của chương trình"}[
            self.kind
        ] + f" ({self.root})"


def packaged_root() -> Path:
    """The defaults shipped with the program: ``defaults/`` inside the installed package, or the repository
    root when running from a source checkout (an editable install)."""
    inside = PACKAGE_DIR / "defaults"
    return inside if (inside / "params").is_dir() else PACKAGE_DIR.parent


def is_workspace(folder: Path) -> bool:
    return (folder / MARKER).is_file() or (folder / "params" / "defaults.yaml").is_file()


# Set by a run for its notebook's kernel, which works in the output folder: the workspace the command found.
PIN_VARIABLE = "CCHC_RUN_WORKSPACE"


def find_workspace(start: Path | None = None) -> Path | None:
    """The nearest workspace at or above ``start`` (default: the current folder; in a run's notebook, the
    workspace of the command, ``PIN_VARIABLE``); never the package itself."""
    if start is None and (pinned := os.environ.get(PIN_VARIABLE)) and is_workspace(Path(pinned)):
        return Path(pinned).resolve()
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if is_workspace(folder) and not folder.is_relative_to(PACKAGE_DIR):
            return folder
    return None


def home() -> Path | None:
    value = os.environ.get("CCHC_HOME")
    return Path(value).resolve() if value else None


def sources() -> list[Source]:
    """Where files are looked up, first match wins: workspace, CCHC_HOME, packaged defaults."""
    out: list[Source] = []
    for kind, root in (("workspace", find_workspace()), ("CCHC_HOME", home()), ("packaged", packaged_root())):
        if root is not None and all(s.root != root for s in out):
            out.append(Source(kind, root))
    return out


def locate(relative: str) -> tuple[Path, Source] | None:
    """The first existing ``root/relative`` in lookup order, with where it was found."""
    for source in sources():
        path = source.root / relative
        if path.exists():
            return path, source
    return None


def base() -> Path:
    """The folder whose ``data/`` and ``outputs/`` a command uses: the workspace, else ``$CCHC_HOME``, else the
    current folder."""
    return find_workspace() or home() or Path.cwd().resolve()


# Folders of the system: nothing the program writes belongs there, whatever a command line or variable says.
SYSTEM_FOLDERS = ("/bin", "/boot", "/dev", "/etc", "/lib", "/lib64", "/proc", "/sbin", "/sys", "/usr", "/var/lib")


def writable_place(path: Path, option: str) -> Path:
    """``path`` given for ``option`` (``--store``, ``--out``), refused inside the installed program or a system
    folder: outputs and stores belong to the analyst's folders."""
    import sysconfig

    resolved = path.expanduser().resolve()
    import sys

    program = {PACKAGE_DIR, *(Path(sysconfig.get_paths()[k]).resolve() for k in ("purelib", "platlib"))}
    program |= {Path(sys.prefix).resolve(), Path(sys.exec_prefix).resolve()}  # the whole environment it runs in
    if any(resolved.is_relative_to(p) for p in program) or any(
        resolved.is_relative_to(Path(f)) for f in SYSTEM_FOLDERS if Path(f).exists()
    ):
        raise UsageError(
            f"{option} «{path}» nằm trong thư mục cài đặt chương trình hoặc thư mục hệ thống — chọn một thư mục "
            "của mình (ví dụ thư mục làm việc tạo bằng cchc init)"
        )
    return path


def named_store(explicit: str | Path | None = None) -> Path | None:
    """The store the analyst named: ``--store``, else ``$CCHC_STORE``; None when neither names one."""
    if explicit:
        return writable_place(Path(explicit), "--store")
    env = os.environ.get("CCHC_STORE")
    return writable_place(Path(env), "CCHC_STORE") if env else None


def lock_wait() -> float:
    """How long a second writer waits for the store: ``$CCHC_LOCK_WAIT`` seconds, 15 by default."""
    try:
        return max(0.0, float(os.environ.get("CCHC_LOCK_WAIT", "15")))
    except ValueError:
        raise UsageError("CCHC_LOCK_WAIT phải là số giây, ví dụ 30") from None


def store_path(explicit: str | Path | None = None) -> Path:
    """``--store``, else ``$CCHC_STORE``, else ``data/cchc.duckdb`` of the workspace."""
    return named_store(explicit) or base() / "data" / "cchc.duckdb"


def outputs_dir(explicit: str | Path | None = None) -> Path:
    return writable_place(Path(explicit), "--out") if explicit else base() / "outputs"


def params_file(name: str) -> Path | None:
    """``params/NAME`` (``defaults.yaml``, ``2023-08.yaml``) from the first source that has it."""
    found = locate(f"params/{name}")
    return found[0] if found else None


def default_area() -> str:
    """The area of ``params/defaults.yaml`` in lookup order (what ``--area`` defaults to)."""
    import yaml

    path = params_file("defaults.yaml")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) if path else None
    except (OSError, yaml.YAMLError):
        data = None
    value = data.get("area") if isinstance(data, dict) else None
    return str(value) if value else DEFAULT_AREA


def areas() -> list[str]:
    names: set[str] = set()
    for source in sources():
        names |= {p.stem for p in (source.root / "params" / "units").glob("*.csv")}
    return sorted(names)


def is_area_file(area: str) -> bool:
    return area.lower().endswith(".csv") or "/" in area or os.sep in area


def units_file(area: str) -> Path:
    """The registry of ``area``: a path to a CSV as given, else ``params/units/AREA.csv`` in lookup order."""
    if is_area_file(area):
        path = Path(area)
        if not path.is_file():
            raise UsageError(f"không có tệp danh mục đơn vị {path} — kiểm tra đường dẫn cho --area")
        return path
    found = locate(f"params/units/{area}.csv")
    if found is None:
        known = ", ".join(areas()) or "chưa có"
        raise UsageError(
            f"không có danh mục đơn vị «{area}» (params/units/{area}.csv) — các danh mục hiện có: "
            f"{known}; tạo tệp đó trong thư mục làm việc hoặc chỉ --area tới một tệp .csv"
        )
    return found[0]


def area_id(area: str) -> str:
    """The name an area is stored under: the file name without .csv for a path, else as given."""
    return Path(area).stem if is_area_file(area) else area


def criteria_files(pattern: str) -> list[Path]:
    """``params/criteria/PATTERN`` files, each name from the first source that has it."""
    chosen: dict[str, Path] = {}
    for source in sources():
        for path in sorted((source.root / "params" / "criteria").glob(pattern)):
            chosen.setdefault(path.name, path)
    return [chosen[n] for n in sorted(chosen)]


def criteria_dir() -> Path:
    """Where a new criteria file belongs: the workspace's, else the first source's."""
    root = find_workspace() or home() or packaged_root()
    return root / "params" / "criteria"


def notebook(name: str) -> Path:
    """``notebooks/NAME.ipynb`` in lookup order."""
    found = locate(f"notebooks/{name}.ipynb")
    if found is None:
        raise UsageError(
            f"không tìm thấy notebook {name}.ipynb (thư mục làm việc, CCHC_HOME hay bản cài đặt) — "
            "cài lại chương trình, hoặc tạo lại thư mục làm việc: cchc init"
        )
    return found[0]


WORD_TEMPLATES = ("cong-van.docx", "bao-cao.docx", "phu-luc.docx")


def word_template(name: str) -> Path:
    """``templates/NAME`` (the letter, report or appendix layout in Word): the workspace's own copy, which an
    office may restyle, else the one shipped with the program."""
    found = locate(f"templates/{name}")
    return found[0] if found else PACKAGE_DIR / "templates" / name


@dataclass
class Created:
    root: Path
    made: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # already there: never overwritten


def create(folder: Path, registry: Path | None = None) -> Created:
    """An analyst's workspace in ``folder``: the packaged params (defaults, registries, criteria, formats — no
    period's parameters: those are the analyst's, ``cchc params PERIOD``), the notebooks, the Word templates,
    ``data/``, ``outputs/``, the guide ``HUONG-DAN.md`` and the marker. ``registry``: another area's unit registry
    (already checked), copied in and made the workspace's area, with its own parameters to fill instead of the
    sample area's. Files already there are kept as they are; a failure removes what this call made."""
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"«{folder}» là một tệp, không phải thư mục — chọn tên thư mục khác")
    if folder.resolve().is_relative_to(PACKAGE_DIR):
        raise UsageError("không tạo thư mục làm việc bên trong thư mục cài đặt chương trình — chọn thư mục khác")
    result = Created(folder)
    packaged = packaged_root()
    area = area_id(str(registry)) if registry else DEFAULT_AREA
    copies: list[tuple[Path | str, Path]] = [
        (p, p.relative_to(packaged))
        for sub in ("params", "notebooks")
        for p in sorted((packaged / sub).rglob("*"))
        if p.is_file() and _shipped(p.relative_to(packaged), area)
    ]
    copies.append((PACKAGE_DIR / "data" / "HUONG-DAN.md", Path("HUONG-DAN.md")))
    copies += [(PACKAGE_DIR / "templates" / name, Path("templates") / name) for name in WORD_TEMPLATES]
    if registry is not None:
        defaults = (packaged / "params" / "defaults.yaml").read_text(encoding="utf-8")
        copies = [c for c in copies if c[1] != Path("params/defaults.yaml")]
        copies += [
            (registry, Path("params/units") / f"{area}.csv"),
            (_with_area(defaults, area), Path("params/defaults.yaml")),
            (AREA_FILE.format(area=area), Path("params/areas") / f"{area}.yaml"),
        ]
    existed = folder.exists()
    made_dirs = [d for d in (folder / "data", folder / "outputs") if not d.exists()]
    try:
        for d in made_dirs:
            d.mkdir(parents=True, exist_ok=True)
        for source, relative in copies:
            target = folder / relative
            if target.exists():
                result.kept.append(str(relative))
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(source, Path):
                shutil.copyfile(source, target)
            else:
                target.write_text(source, encoding="utf-8")
            result.made.append(str(relative))
        (folder / MARKER).write_text("Thư mục làm việc của cchc-workbook (cchc init).\n", encoding="utf-8")
    except OSError as exc:
        _undo(folder, existed, result.made, made_dirs)
        raise UsageError(
            f"không tạo được thư mục làm việc «{folder}» ({os_reason(exc)}) — chọn thư mục có quyền ghi"
        ) from None
    return result


def _undo(folder: Path, existed: bool, made: list[str], dirs: list[Path]) -> None:
    """Remove what a failed ``create`` made, and only that."""
    if not existed:
        shutil.rmtree(folder, ignore_errors=True)
        return
    for relative in made:
        (folder / relative).unlink(missing_ok=True)
    for d in dirs:
        shutil.rmtree(d, ignore_errors=True)


# The parameters of an area set up by ``cchc init --area``: what the registry cannot say, for the analyst to fill.
AREA_FILE = """\
# Riêng địa bàn «{area}» (danh mục params/units/{area}.csv): nơi nhận và người ký của công văn, báo cáo.
# Cách gọi địa bàn ("huyện", "tỉnh") và các nhóm đơn vị ("xã, phường", "sở, ban, ngành") lấy từ danh mục;
# muốn khác thì ghi area_name, communes, departments (xem params/defaults.yaml).
document:
  copies:                        # Nơi nhận: mỗi dòng một nơi, sửa cho đúng với đơn vị mình
    - Như trên
    - CT, các PCT.UBND {{area}}
    - Các cơ quan, đơn vị có liên quan
    - "Lưu: VT"
  signer:
    # on_behalf: KT. CHỦ TỊCH    # khi Phó Chủ tịch ký thay (bỏ dấu # ở đầu dòng)
    # title: PHÓ CHỦ TỊCH        # chức vụ người ký, nếu không phải CHỦ TỊCH
    name: ""                     # họ và tên người ký (hoặc ghi trong tệp của từng kỳ: cchc params 2023-08)
"""


def _with_area(defaults: str, area: str) -> str:
    """The packaged defaults with the workspace's own area."""
    import re

    return re.sub(r"(?m)^area:.*$", f'area: "{area}"', defaults, count=1)


def _shipped(relative: Path, area: str) -> bool:
    """A packaged file a new workspace gets: params of every kind except periods' (``params/<period>.yaml``), the
    sample area's own files only when it is the workspace's area."""
    if relative.suffix not in (".yaml", ".csv", ".ipynb") or ".ipynb_checkpoints" in relative.parts:
        return False
    parts = relative.parts
    if parts[0] == "params" and len(parts) == 2 and relative.name != "defaults.yaml":
        return False
    sample_own = parts[:3] in (("params", "units", f"{DEFAULT_AREA}.csv"), ("params", "areas", f"{DEFAULT_AREA}.yaml"))
    sample_own = sample_own or (parts[:2] == ("params", "criteria") and relative.name.startswith(f"{DEFAULT_AREA}-"))
    return area == DEFAULT_AREA or not sample_own
