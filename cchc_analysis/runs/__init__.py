"""A command's run: its inputs resolved once (``inputs``), the embedded sample, papermill and the run folder
that is written whole or not at all, the step beside the notebook, JupyterLab, and ``cchc doctor``."""
