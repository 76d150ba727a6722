"""The command line's own words in Vietnamese. typer (and the click it carries) writes its help panels, type
labels and usage errors in English with no catalogue to translate them. Rather than changing its strings, the
command's own group and command classes (``typer.Typer(cls=…)``, ``app.command(cls=…)``, the way typer's
documentation customises a group) write the help themselves, in Vietnamese, through rich, and turn a usage error
into one Vietnamese line like every other error of the program (exit 2)."""

from __future__ import annotations

import re
import sys
from typing import Any, Protocol, cast

from rich.console import Console, Group
from rich.padding import Padding
from rich.panel import Panel
from rich.table import Table
from rich.text import Text
from typer import Abort
from typer.core import TyperCommand, TyperGroup

_TYPES = {
    "str": "chữ",
    "text": "chữ",
    "path": "đường dẫn",
    "file": "tệp",
    "directory": "thư mục",
    "bool": "có/không",
    "boolean": "có/không",
    "int": "số",
    "integer": "số",
    "float": "số",
    "list[str]": "danh sách",
    "list[path]": "danh sách tệp",
}
_PARAM = {"argument": "tham số", "option": "tùy chọn", "parameter": "tham số"}
_ERRORS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^Missing (argument|option|parameter) '?([^'.]+)'?\.?\s*(.*)$", re.S), "thiếu {p} {1}"),
    (re.compile(r"^Missing parameter: (.+)$"), "thiếu tham số {0}"),
    (re.compile(r"^No such command '(.+)'\.?$"), "không có lệnh «{0}»"),
    (
        re.compile(r"^No such option: (\S+?)\.?\s*(?:\(Possible options?: (.+)\)|Did you mean (.+)\?)?$"),
        "không có tùy chọn {0}",
    ),
    (re.compile(r"^Got unexpected extra arguments?(?:\(s\))? \((.+)\)$"), "thừa tham số: {0}"),
    (re.compile(r"^Option '(.+)' requires an argument\.?$"), "tùy chọn {0} cần một giá trị"),
    (re.compile(r"^Invalid value for '?([^':]+)'?: (.+)$", re.S), "giá trị không hợp lệ cho {0}: {1}"),
)
HELP_OPTION = "Hiện hướng dẫn này rồi thoát."


class _UsageError(Protocol):
    exit_code: int

    def format_message(self) -> str: ...


def translate_error(message: str) -> str:
    text = " ".join(message.split())
    for pattern, template in _ERRORS:
        m = pattern.match(text)
        if m:
            groups = [g or "" for g in m.groups()]
            return template.replace("{p}", _PARAM.get(groups[0], groups[0])).format(*groups)
    return text


def _type_label(param: Any, ctx: Any) -> str:
    """typer's own label of a parameter's type ("<path>", "<list[path]>"), in Vietnamese."""
    label = param.display_type(ctx) if hasattr(param, "display_type") else "<str>"
    inner = label[1:-1] if label.startswith("<") and label.endswith(">") else label
    return f"<{_TYPES.get(inner.lower(), inner)}>"


def _usage(command: Any, ctx: Any) -> str:
    pieces = " ".join(command.collect_usage_pieces(ctx))
    pieces = pieces.replace("[OPTIONS]", "[TÙY CHỌN]").replace("COMMAND [ARGS]...", "LỆNH [THAM SỐ]...")
    return f"Cách dùng: {ctx.command_path} {pieces}".rstrip()


def _param_rows(command: Any, ctx: Any) -> tuple[Table, Table]:
    """Two grids: the arguments (name, type, help) and the options (flags, type, help)."""
    arguments, options = Table.grid(padding=(0, 2)), Table.grid(padding=(0, 2))
    for grid in (arguments, options):
        grid.add_column(no_wrap=True)
        grid.add_column(no_wrap=True)
        grid.add_column(ratio=1)
    for param in command.get_params(ctx):
        if getattr(param, "hidden", False):
            continue
        required = " [bắt buộc]" if param.required else ""
        help_text = Text((getattr(param, "help", None) or "") + required)
        if param.param_type_name == "argument":
            name = param.metavar or (param.name or "").upper()
            arguments.add_row(Text(("* " if param.required else "  ") + name), _type_label(param, ctx), help_text)
        else:
            flags = ", ".join([*param.opts, *param.secondary_opts])
            options.add_row(Text(flags), _type_label(param, ctx), help_text)
    return arguments, options


def _commands_grid(group: Any, ctx: Any) -> Table:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(no_wrap=True)
    grid.add_column(ratio=1)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        if command is None or command.hidden:
            continue
        grid.add_row(Text(name), Text(" ".join((command.help or "").split("\n\n")[0].split())))
    return grid


def print_help(command: Any, ctx: Any) -> None:
    """A command's help as the program prints it: usage, description, then arguments, options and commands in
    boxes titled in Vietnamese, then the epilog."""
    parts: list[Any] = [Padding(Text(_usage(command, ctx)), (1, 1, 0, 1))]
    if command.help:
        parts.append(Padding(Text(" ".join(command.help.split("\n\n")[0].split())), (1, 1, 0, 1)))
    arguments, options = _param_rows(command, ctx)
    parts.append(Text(""))
    for title, grid in (("Tham số", arguments), ("Tùy chọn", options)):
        if grid.row_count:
            parts.append(Panel(grid, title=title, title_align="left", border_style="dim"))
    if isinstance(command, TyperGroup):
        commands = _commands_grid(command, ctx)
        if commands.row_count:
            parts.append(Panel(commands, title="Lệnh", title_align="left", border_style="dim"))
    if command.epilog:
        parts.append(Padding(Text(command.epilog), (0, 1)))
    Console(highlight=False).print(Group(*parts))


class _Vietnamese:
    """The help and the help option in Vietnamese, for a command and a group alike."""

    def get_help_option(self, ctx: Any) -> Any:
        option = super().get_help_option(ctx)  # pyright: ignore[reportAttributeAccessIssue]
        if option is not None:
            option.help = HELP_OPTION
        return option

    def format_help(self, ctx: Any, formatter: Any) -> None:  # noqa: ARG002 - printed through rich, not the formatter
        print_help(self, ctx)


class Command(_Vietnamese, TyperCommand):
    """A command whose help and whose help option speak Vietnamese."""


class CommandGroup(_Vietnamese, TyperGroup):
    """The program's group (and ``cchc run``): Vietnamese help, and a usage error as one Vietnamese line."""

    def main(self, *args: Any, standalone_mode: bool = True, **kwargs: Any) -> Any:
        """Run the command; a usage error (click's, which typer carries) is said in one line, exit 2."""
        try:
            code = super().main(*args, standalone_mode=False, **kwargs)
        except Abort:
            sys.stderr.write("Đã dừng.\n")
            code = 1
        except Exception as exc:
            # click's usage errors have a message and an exit code; typer does not export their class
            if not (hasattr(exc, "format_message") and hasattr(exc, "exit_code")):
                raise
            error = cast(_UsageError, exc)
            if type(exc).__name__ != "NoArgsIsHelpError":  # the help was printed: nothing went wrong
                where = getattr(getattr(exc, "ctx", None), "command_path", None)
                hint = f" — xem: {where} --help" if where else ""
                sys.stderr.write(f"lỗi: {translate_error(error.format_message())}{hint}\n")
            code = error.exit_code
        if not standalone_mode:
            return code
        sys.exit(code if isinstance(code, int) else 0)
