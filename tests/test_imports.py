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
