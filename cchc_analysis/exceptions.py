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

    def location(self) -> str:
        parts = [self.file]
        if self.sheet:
            parts.append(f"trang «{self.sheet}»")
        if self.row is not None:
            parts.append(f"dòng {self.row}")
        if self.column:
            col = f"cột {self.column}"
            if self.header:
                col += f" «{self.header}»"
            parts.append(col)
        return ", ".join(parts)

    def __str__(self) -> str:
        return f"{self.location()}: {self.message}"


class DataRejected(CchcError):
    """Input files failed validation; nothing was written."""

    exit_code = 1

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))
