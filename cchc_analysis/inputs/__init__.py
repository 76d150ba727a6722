"""Files from outside, read and checked: the tabular reader (CSV, XLSX) with located cells, the export formats
(``params/formats/*.yaml``) and the exports they describe, the package's template, dossier lists, self-assessed
scores, the registry of units, the criteria sets and a draft's visible text — each turns a file into rows or
located problems. Also the blank forms an analyst fills (``template``, the scores' template) and synthetic dossier
lists for tests and benchmarks (``synth``). Nothing here writes the store."""
