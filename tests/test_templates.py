"""Word templates are files an office edits or receives (issue 27, item 1): they render in Jinja's sandbox with no
globals, a tag that reaches past the document's fields is refused in one line naming it, and data that looks
like template code is printed as it is."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest

from cchc_analysis.core.exceptions import CchcError
from cchc_analysis.render.docx import write_template


def _workspace(tmp_path: Path, body: str) -> Path:
    ws = tmp_path / "ws"
    (ws / "params").mkdir(parents=True)
    (ws / "params" / "defaults.yaml").write_text("area: tu-ky\n", encoding="utf-8")
    (ws / "templates").mkdir()
    d = docx.Document()
    d.add_paragraph(body)
    d.save(str(ws / "templates" / "cong-van.docx"))
    return ws


@pytest.mark.parametrize(
    "tag",
    [
        "{{ cycler.__init__.__globals__.os.popen('touch DA-CHAY').read() }}",
        "{{ title.__class__.__mro__[1].__subclasses__() }}",
        "{% for x in range(99999999) %}{{ x }}{% endfor %}",
        "{{ lipsum() }}",
        "{{ title.upper.__self__ }}",
        "{{ 'a' * 10**9 }}",
        "{% for i in [1] * 600000000 %}{% endfor %}",
        "{% include '/etc/passwd' %}",
    ],
)
def test_a_tag_past_the_documents_fields_is_refused_naming_it(tmp_path, monkeypatch, tag):
    ws = _workspace(tmp_path, f"Tiêu đề: {{{{ title }}}} {tag}")
    monkeypatch.chdir(ws)
    with pytest.raises(CchcError) as caught:
        write_template("cong-van.docx", {"title": "Công văn"}, tmp_path / "out.docx")
    message = str(caught.value)
    assert "cong-van.docx" in message and tag[:20] in message and "\n" not in message
    assert not (ws / "DA-CHAY").exists() and not (tmp_path / "out.docx").exists()


def test_data_that_looks_like_template_code_is_printed_as_it_is(tmp_path, monkeypatch):
    ws = _workspace(tmp_path, "{{ title }}")
    monkeypatch.chdir(ws)
    hostile = "{{ 7*7 }} {% if x %} <w:t>&amp; {period}"
    write_template("cong-van.docx", {"title": hostile}, tmp_path / "out.docx")
    text = "\n".join(p.text for p in docx.Document(str(tmp_path / "out.docx")).paragraphs)
    assert hostile in text


def test_params_sentences_fill_their_placeholders_and_keep_every_other_brace():
    from cchc_analysis.core.formatting import fill

    text = "Yêu cầu {{ x }} {% if y %} {unknown} {0} trong {next}./."
    assert fill(text, next="tháng 6/2023") == "Yêu cầu {{ x }} {% if y %} {unknown} {0} trong tháng 6/2023./."
    # a value is never read again as a placeholder
    assert fill("{area} và {period}", area="{period}", period="tháng 5/2023") == "{period} và tháng 5/2023"
