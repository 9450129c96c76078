"""The contract's paths as patterns: which documented path template a request's path is, and its methods.

Used where the route a request matched is not at hand: the Allow header of a 405 (one path can be split across
the audience routers, and Starlette names only the methods of the first route it matched), and the route label
of an answer given before routing (a remembered public answer, a 304 by version) or on a copy of the request
(HEAD).
"""

import functools
import re
from dataclasses import dataclass
from typing import Any

from starlette.routing import compile_path


@dataclass(frozen=True)
class DocumentedPath:
    pattern: re.Pattern[str]
    template: str
    methods: frozenset[str]


class DocumentedPaths:
    def __init__(self, paths: dict[str, dict[str, Any]]) -> None:
        self.paths = [
            DocumentedPath(compile_path(template)[0], template, frozenset(method.upper() for method in operations))
            for template, operations in paths.items()
        ]
        # Hot paths repeat (a council's page asks the same few URLs), so each is matched once.
        self.template_of = functools.lru_cache(maxsize=4096)(self._first_template)

    def _first_template(self, path: str) -> str | None:
        return next((documented.template for documented in self.paths if documented.pattern.match(path)), None)

    def methods_of(self, path: str) -> set[str]:
        """Every documented method of every template the path matches."""
        return set().union(*(documented.methods for documented in self.paths if documented.pattern.match(path)))


def documented_paths(app: Any) -> DocumentedPaths:
    """The app's table, built from its contracts on first use."""
    if not hasattr(app.state, "documented_paths"):
        paths = dict(app.openapi()["paths"])
        for contract in getattr(app.state, "other_contracts", ()):  # a feed with a contract of its own (ORUK)
            paths |= contract()["paths"]
        app.state.documented_paths = DocumentedPaths(paths)
    table: DocumentedPaths = app.state.documented_paths
    return table
