"""Ship every published release (and the index downloads verify against) inside the wheel.

Each release is a few hundred KB, so a regular install holds every version that
dataset/index.json lists when the wheel is built, and loads them offline; a version
published later downloads on first use.
"""

from __future__ import annotations

import json
from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class BundleReleases(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict) -> None:
        if self.target_name != "wheel" or version == "editable":
            return  # an editable install reads dataset/ from the source tree
        dataset = Path(self.root) / "dataset"
        index = dataset / "index.json"
        if not index.is_file():
            return
        doc = json.loads(index.read_text(encoding="utf-8"))
        include = build_data.setdefault("force_include", {})
        include[str(index)] = "geoevents/_dataset/index.json"
        for entry in doc.get("versions", []):
            name = entry["version"]
            # only the files the index lists: nothing else can ship under a release's name
            for file in entry.get("files", {}):
                include[str(dataset / name / file)] = f"geoevents/_dataset/{name}/{file}"
