"""Imported for its effect by the two places that load Altair, papermill or nbformat — the command (``cli``) and
the renderers a notebook kernel imports (``render``) — so that importing the rest of the package changes nothing
in the interpreter.

JupyterLab brings rfc3987-syntax (through jupyter-events' jsonschema[format-nongpl]), and jsonschema imports it,
when present, only to check the "iri" string format: building its grammar costs about 1,5 s on every import of
those libraries, in every command and notebook kernel. Nothing here validates IRIs, and jsonschema skips that
format when the import fails, so it is kept out of the process.
"""

from __future__ import annotations

import sys

sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
