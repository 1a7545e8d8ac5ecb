"""validate stays light: it imports neither great_expectations nor pandas."""

import json
import subprocess
import sys
from pathlib import Path

DATA = Path(__file__).parent / "data" / "valid"


def run_python(code: str) -> str:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return out.stdout.strip().splitlines()[-1]


def test_validate_command_imports_neither_pandas_nor_great_expectations():
    code = (
        "import sys, json\n"
        "from geoevents.cli import main\n"
        "try:\n"
        f"    main(['validate', '--root', {str(DATA)!r}])\n"
        "except SystemExit as exc:\n"
        "    code = exc.code\n"
        "mods = [m for m in ('pandas', 'great_expectations') if m in sys.modules]\n"
        "print(json.dumps({'exit': code, 'mods': mods}))\n"
    )
    assert json.loads(run_python(code)) == {"exit": 0, "mods": []}


def test_library_validate_does_not_import_great_expectations():
    code = (
        "import sys, geoevents\n"
        f"geoevents.validate({str(DATA)!r})\n"
        "print('great_expectations' in sys.modules)\n"
    )
    assert run_python(code) == "False"


def test_library_leaves_pandera_usable_for_pandas():
    code = (
        "import geoevents\n"
        f"geoevents.validate({str(DATA)!r})\n"
        "import pandas as pd, pandera.pandas as pa\n"
        "class Model(pa.DataFrameModel):\n"
        "    a: pa.typing.Series[int] = pa.Field(ge=0)\n"
        "try:\n"
        "    Model.validate(pd.DataFrame({'a': [-1]}))\n"
        "    print('accepted')\n"
        "except pa.errors.SchemaError:\n"
        "    print('refused')\n"
    )
    assert run_python(code) == "refused"


def test_the_library_leaves_the_process_as_it_found_it(tmp_path):
    """validate, read_annotations and a whole build (GX suite, timeline) change no
    global state: environment, warning filters, import hooks, matplotlib's backend,
    logging and pooch's logger are as they were. Some dependencies are imported
    first; pandera and great-expectations are not: their imports set variables of
    the environment, which geoevents puts back. The warning filters their imports
    add are theirs (a library silencing its own warnings) and are left."""
    import shutil

    root = tmp_path / "project"
    shutil.copytree(DATA, root)
    (root / "CHANGELOG.md").write_text("# Changelog\n\n## [1.0.0] - 2023-10-02\n\n- First.\n")
    code = (
        "import json, logging, os, sys, warnings\n"
        "import matplotlib, pooch, polars, pyarrow, requests\n"
        "import matplotlib.backends.backend_agg\n"
        "def state():\n"
        "    log = pooch.get_logger()\n"
        "    return {'env': dict(os.environ),\n"
        "            'meta_path': repr(sys.meta_path), 'backend': matplotlib.get_backend(),\n"
        "            'root': repr(logging.getLogger().handlers), 'level': logging.getLogger().level,\n"
        "            'pooch': (log.level, repr(log.handlers), log.disabled)}\n"
        "before = state()\n"
        "import geoevents\n"
        "from geoevents import release\n"
        f"root = {str(root)!r}\n"
        "geoevents.validate(root); geoevents.read_annotations(root)\n"
        "release.build(root, '1.0.0')\n"
        "after = state()\n"
        "print(json.dumps({k: before[k] == after[k] for k in before}))\n"
    )
    assert json.loads(run_python(code)) == {k: True for k in (
        "env", "meta_path", "backend", "root", "level", "pooch")}
