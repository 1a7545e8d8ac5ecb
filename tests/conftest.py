"""Shared fixtures: a small valid project that each test breaks in exactly one way."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import geoevents

DATA = Path(__file__).parent / "data"


class Project:
    """A copy of tests/data/valid that a test may edit."""

    def __init__(self, root: Path):
        self.root = root

    def path(self, rel: str) -> Path:
        return self.root / rel

    def edit(self, rel: str, old: str, new: str) -> None:
        text = self.path(rel).read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {rel}"
        self.path(rel).write_text(text.replace(old, new, 1), encoding="utf-8")

    def append(self, rel: str, text: str) -> None:
        with self.path(rel).open("a", encoding="utf-8") as fh:
            fh.write(text)

    def write(self, rel: str, text: str | bytes) -> None:
        path = self.path(rel)
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")

    def problems(self) -> list[dict]:
        return geoevents.validate(self.root).to_dicts()

    def found(self) -> set[tuple]:
        """(rule, file, line, field) of every problem."""
        return {(p["rule"], p["file"], p["line"], p["field"]) for p in self.problems()}

    def rules(self) -> set[str]:
        return {p["rule"] for p in self.problems()}


@pytest.fixture
def project(tmp_path) -> Project:
    root = tmp_path / "project"
    shutil.copytree(DATA / "valid", root)
    return Project(root)


def wheel_venv(tmp_path: Path) -> Path:
    """A fresh virtual environment holding the wheel of this checkout (built without an
    index) and nothing else of geoevents: its python. The dependencies come from this
    environment's site-packages, added as a plain path (its .pth files, among them an
    editable geoevents, are not run)."""
    import subprocess
    import sys

    repo = Path(__file__).resolve().parents[1]
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "-q", "-w", str(dist), str(repo)], check=True)
    (wheel,) = dist.glob("geoevents-*.whl")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    py = venv / "bin" / "python"
    purelib = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    site = subprocess.run([sys.executable, "-c", purelib], capture_output=True, text=True,
                          check=True).stdout.strip()
    venv_site = subprocess.run([str(py), "-c", purelib], capture_output=True, text=True,
                               check=True).stdout.strip()
    Path(venv_site, "deps.pth").write_text(site + "\n")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(py), "install", "-q",
                    "--no-deps", "--no-index", str(wheel)], check=True)
    return py
