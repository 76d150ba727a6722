"""cchc-workbook: monthly one-stop-shop statistics → CCHC letters, scores and appendices."""

from __future__ import annotations

import sys

__version__ = "0.1.0"

# JupyterLab brings rfc3987-syntax (through jupyter-events' jsonschema[format-nongpl]), and jsonschema imports it,
# when present, only to check the "iri" string format: building its grammar costs about 1,8 s on every import of
# Altair, in every command and notebook kernel. Nothing here validates IRIs, so it is kept out of our processes
# (jsonschema skips that format when the import fails).
sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
