"""The command line's own words in Vietnamese. typer (and the click it carries) writes its help panels, type
labels and usage errors in English with no catalogue to translate them: its fixed strings are set here, and its
usage errors become one Vietnamese line like every other error of the program (exit 2)."""

from __future__ import annotations

import re
import sys

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


def translate_error(message: str) -> str:
    text = " ".join(message.split())
    for pattern, template in _ERRORS:
        m = pattern.match(text)
        if m:
            groups = [g or "" for g in m.groups()]
            return template.replace("{p}", _PARAM.get(groups[0], groups[0])).format(*groups)
    return text


def install() -> None:
    """Put the Vietnamese words in place; called once when the CLI module is imported."""
    from typer import _click, core, rich_utils
    from typer._click import decorators, formatting

    rich_utils.REQUIRED_LONG_STRING = "[bắt buộc]"
    rich_utils.DEFAULT_STRING = "[mặc định: {}]"
    rich_utils.ENVVAR_STRING = "[biến môi trường: {}]"
    rich_utils.DEPRECATED_STRING = "(không dùng nữa) "
    rich_utils.ARGUMENTS_PANEL_TITLE = "Tham số"
    rich_utils.OPTIONS_PANEL_TITLE = "Tùy chọn"
    rich_utils.COMMANDS_PANEL_TITLE = "Lệnh"
    rich_utils.ERRORS_PANEL_TITLE = "Lỗi"
    rich_utils.ABORTED_TEXT = "Đã dừng."
    rich_utils.RICH_HELP = "Xem [blue]'{command_path} {help_option}'[/] để biết cách dùng."

    original_help = decorators.help_option

    def help_option(param_decls):
        decorate = original_help(param_decls)

        def apply(command):
            command = decorate(command)
            command.params[-1].help = "Hiện hướng dẫn này rồi thoát."  # pyright: ignore[reportAttributeAccessIssue]
            return command

        return apply

    decorators.help_option = help_option

    write_usage = formatting.HelpFormatter.write_usage

    def write_usage_vi(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        args = args.replace("[OPTIONS]", "[TÙY CHỌN]").replace("COMMAND [ARGS]...", "LỆNH [THAM SỐ]...")
        write_usage(self, prog, args, "Cách dùng: " if prefix is None else prefix)

    formatting.HelpFormatter.write_usage = write_usage_vi
    display_type = core._TyperParameter.display_type

    def display_type_vi(self, ctx) -> str:
        label = display_type(self, ctx)
        inner = label[1:-1] if label.startswith("<") and label.endswith(">") else label
        return f"<{_TYPES.get(inner.lower(), inner)}>"

    core._TyperParameter.display_type = display_type_vi

    def format_error(exc: _click.ClickException) -> None:
        """A usage error as one line, like every other error of the program."""
        if exc.__class__.__name__ == "NoArgsIsHelpError":  # the help was printed: nothing went wrong
            return
        ctx = getattr(exc, "ctx", None)
        hint = f" — xem: {ctx.command_path} --help" if ctx is not None else ""
        sys.stderr.write(f"lỗi: {translate_error(exc.format_message())}{hint}\n")

    rich_utils.rich_format_error = format_error
