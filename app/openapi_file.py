"""The committed contract file: one canonical JSON text, so a diff shows exactly what changed."""

import json
from pathlib import Path
from typing import Any


def render_openapi(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def write_openapi(document: dict[str, Any], path: str | Path) -> None:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(render_openapi(document), encoding="utf-8")
