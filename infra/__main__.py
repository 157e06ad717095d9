"""Pulumi's entry point (`main: infra/` in Pulumi.yaml): load the spec, build, export. Nothing else."""

import sys
from pathlib import Path

# Pulumi runs this file with `runpy.run_path("infra/")`, which puts infra/ itself on sys.path,
# not the checkout: without `pip install -e .`, `import infra` would fail and infra's
# subpackages would shadow top-level names. Swap infra/ for the directory that contains it.
_CODE_ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _CODE_ROOT / "infra"]
sys.path.insert(0, str(_CODE_ROOT))

from infra.program import build, export  # noqa: E402
from infra.program.project import running_project_dir  # noqa: E402
from infra.spec import load_from_engine  # noqa: E402

export(build(load_from_engine(running_project_dir())))
