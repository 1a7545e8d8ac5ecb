"""Ship the latest release (and the index downloads verify against) inside the wheel."""

from __future__ import annotations

import json
from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class BundleLatestRelease(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict) -> None:
        if self.target_name != "wheel" or version == "editable":
            return  # an editable install reads dataset/ from the source tree
        dataset = Path(self.root) / "dataset"
        index = dataset / "index.json"
        if not index.is_file():
            return
        latest = json.loads(index.read_text(encoding="utf-8")).get("latest")
        include = build_data.setdefault("force_include", {})
        include[str(index)] = "geoevents/_dataset/index.json"
        if latest:
            include[str(dataset / latest)] = f"geoevents/_dataset/{latest}"
