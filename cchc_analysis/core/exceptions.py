"""The package's exceptions: every error a user sees is one of these, with one line per problem."""

from __future__ import annotations

import errno
from dataclasses import dataclass

_OS_REASONS = {
    errno.ENOENT: "không có hoặc không tạo được đường dẫn",
    errno.ENOTDIR: "một phần đường dẫn là tệp",
    errno.EISDIR: "là một thư mục",
    errno.EACCES: "không có quyền",
    errno.EPERM: "không có quyền",
    errno.EROFS: "ổ đĩa chỉ cho đọc",
    errno.ENOSPC: "ổ đĩa đã đầy",
    errno.EEXIST: "đã có tệp trùng tên",
}


def os_reason(exc: OSError) -> str:
    """Why the system refused a file operation, in Vietnamese (its own words are English)."""
    return _OS_REASONS.get(exc.errno or -1, f"lỗi hệ điều hành {exc.errno}" if exc.errno else type(exc).__name__)


class CchcError(Exception):
    """Base class. ``exit_code`` is what the CLI returns."""

    exit_code = 1


class UsageError(CchcError):
    """The command was called wrongly (bad period, missing file argument…)."""

    exit_code = 2


class RunError(CchcError):
    """A step of ``cchc run`` failed; the message is one line naming the step or the notebook cell."""


class StoreError(CchcError):
    """The store cannot be opened or written (locked, newer schema, corrupt)."""


@dataclass(frozen=True)
class Problem:
    """One located problem in an input file. ``row`` is numbered as a spreadsheet shows it."""

    file: str
    message: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None  # spreadsheet letter, e.g. "D"
    header: str | None = None  # the header text as written in the file

    def location(self, rows: str | None = None) -> str:
        """ "file, trang «…», dòng 12, cột D «…»"; ``rows``: several rows, as "12–642"."""
        parts = [self.file]
        if self.sheet:
            parts.append(f"trang «{self.sheet}»")
        if rows or self.row is not None:
            parts.append(f"dòng {rows or self.row}")
        if self.column:
            col = f"cột {self.column}"
            if self.header:
                col += f" «{self.header}»"
            parts.append(col)
        return ", ".join(parts)

    def __str__(self) -> str:
        return cut(f"{self.location()}: {self.message}")


class DataRejected(CchcError):
    """Input files failed validation; nothing was written."""

    exit_code = 1

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


SHOWN_PROBLEMS = 20  # lines of problems printed; the rest are counted
QUOTED_MAX = 240  # characters of a value quoted «…» in a message (a long path still fits)
LINE_MAX = 4000  # characters of one message line (a list of units still fits)


def cut(text: str) -> str:
    """A message as one readable line, whatever the data it quotes: a value over ``QUOTED_MAX`` characters is
    shortened with "…" and its length, the line to ``LINE_MAX``; line breaks in data become spaces."""
    import re

    def short(m: re.Match) -> str:
        value = m.group(1)
        return f"«{value[: QUOTED_MAX - 20]}… ({len(value)} ký tự)»" if len(value) > QUOTED_MAX else m.group(0)

    text = re.sub(r"«([^»]*)»", short, " ".join(text.split("\n")))
    return text if len(text) <= LINE_MAX else f"{text[: LINE_MAX - 1]}…"


KIND_GROUPED = 4  # rows of one kind of problem (other values) from which they are said in one line


def problem_lines(problems: list[Problem], limit: int = SHOWN_PROBLEMS) -> list[str]:
    """One line per kind of problem: the same message in the same column on many rows is said once with its
    rows ("dòng 12–642: ô trống (631 dòng)"); past ``limit`` lines, the rest are counted."""
    kinds: dict[tuple, list[Problem]] = {}
    for p in problems:
        kinds.setdefault((p.file, p.sheet, p.column, p.header, _kind(p.message)), []).append(p)
    groups: dict[tuple, list[Problem]] = {}
    for key, same in kinds.items():  # a few rows are worth their own lines; many of one kind are one line
        for p in same:
            groups.setdefault(key if len(same) >= KIND_GROUPED else (*key[:4], p.message), []).append(p)
    lines = []
    for (file, sheet, column, header, _), same in groups.items():
        rows = sorted({p.row for p in same if p.row is not None})
        if len(same) == 1 or len(rows) < 2:
            lines.append(str(same[0]))
            continue
        where = Problem(file, "", sheet, None, column, header).location(row_runs(rows))
        alike = len({p.message for p in same}) > 1
        example = f"; ví dụ dòng {same[0].row}: {same[0].message}" if alike else f": {same[0].message}"
        lines.append(cut(f"{where}{example} ({len(rows)} dòng{' cùng loại' if alike else ''})"))
    if len(lines) > limit:
        rest = len(lines) - limit
        lines = [*lines[:limit], f"… và {rest} lỗi khác (sửa các lỗi trên rồi kiểm tra lại: cchc check TỆP)"]
    return lines


def _kind(message: str) -> str:
    """A problem's message without the values it quotes: the same check failing on many rows with other values
    is one kind ("«x» lớn hơn «co_phi» (y)")."""
    import re

    return re.sub(r"«[^»]*»|\d+(?:[.,]\d+)*", "…", message)


def row_runs(rows: list[int], shown: int = 6) -> str:
    """Row numbers as runs: "12–642", "3, 7, 10–12"."""
    runs: list[list[int]] = []
    for r in rows:
        if runs and r == runs[-1][-1] + 1:
            runs[-1].append(r)
        else:
            runs.append([r])
    text = [f"{r[0]}–{r[-1]}" if len(r) > 1 else str(r[0]) for r in runs]
    return ", ".join(text[:shown]) + (" …" if len(text) > shown else "")
