"""What a command runs on, resolved once where it is parsed: the period, the store, the parameters (with the
area's words from its registry) and the registry itself, the outputs folder.

Nothing below this reads ``$CCHC_STORE``, loads a registry or parses a period again: the stages receive these.
A notebook is an edge of its own (papermill gives it the same arguments); it resolves them once the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from cchc_analysis.core import workspace
from cchc_analysis.core.config import SAMPLE_PARAMS
from cchc_analysis.core.params import Params, load_params, param_sources
from cchc_analysis.core.periods import Month, ReportPeriod
from cchc_analysis.inputs.units import Registry
from cchc_analysis.runs.sample import existing_store, readable_store, sample_params


@dataclass(frozen=True)
class RunInputs:
    period: Month | ReportPeriod
    store: Path | None  # the store to read; None: there is none at all, a run uses the embedded sample
    params: Params  # defaults, the area's file, the period's, the command line's document fields, the area's words
    registry: Registry  # the units of ``params.area``
    sources: tuple[Path, ...]  # the parameter files read, in the order they apply (for the manifest)
    out: Path  # the outputs folder (--out, else the workspace's outputs/); a run writes OUT/PERIOD in it
    params_file: Path | None = None  # --params, as given
    area: str | None = None  # --area, as given (a name or a registry file)

    def notebook_parameters(self, store: Path) -> dict[str, Any]:
        """The same inputs for the notebook, which resolves them in its own process: ``store`` is the file the run
        reads (the throwaway sample's, when there is no store). The letter's number, date and signer are not among
        them: only the Word letter prints them."""
        area = self.area or ""
        return {
            "period": str(self.period),
            "store": str(store.resolve()),
            "params_file": str(self.params_file.resolve()) if self.params_file else "",
            "area": str(Path(area).resolve()) if area and workspace.is_area_file(area) else area,
        }


def resolve(
    period: Month | ReportPeriod,
    store: str | Path | None = None,
    area: str | None = None,
    params_file: Path | None = None,
    document: dict[str, Any] | None = None,
    out: str | Path | None = None,
) -> RunInputs:
    """The inputs of a command about ``period``. A store named (``--store``, ``$CCHC_STORE``) must exist; with
    none at all the sample's own parameters of the period apply, as they do to rows stored as the sample."""
    path = existing_store(store)
    if path is None:
        own = SAMPLE_PARAMS / f"{period}.yaml"
        fallback = own if own.is_file() else None
    else:
        fallback = sample_params(period, path)
    raw = load_params(period, params_file, area=area, document=document, fallback=fallback)
    registry = Registry.load(raw.area)
    params = raw.with_area_words(registry.words())
    sources = tuple(param_sources(period, params_file, area=area, fallback=fallback))
    return RunInputs(period, path, params, registry, sources, workspace.outputs_dir(out), params_file, area)


def for_notebook(period: Month | ReportPeriod, store: str, area: str, params_file: str) -> RunInputs:
    """A notebook's inputs from its papermill parameters (empty strings: not given), its store the one a run
    reads — with none at all, the embedded sample built once in the temporary folder."""
    inputs = resolve(period, store or None, area or None, Path(params_file) if params_file else None)  # no --out
    return replace(inputs, store=readable_store(inputs.store))
