"""The architecture's rules, read from the source with `ast`: the project's modules import each other without a
cycle (imports inside functions count), services know nothing of HTTP, and routers neither open sessions nor
write audit records; the shared transaction mechanism does both, once per use case."""

import ast
import itertools
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "app"

# Modules of app/api/ that are the shared HTTP mechanism, not routers. They may open sessions and write audit
# records because they are what opens the one transaction per use case (transactions), turns a key into a caller
# (auth, deps), or wraps every request (middleware, revalidation, problems, http, etags, responses); the rest
# describe the API (openapi, examples) or answer the service's own health (operations) and hold no use case.
MECHANISM_MODULES = frozenset(
    {
        "transactions.py",
        "deps.py",
        "auth.py",
        "middleware.py",
        "revalidation.py",
        "problems.py",
        "openapi.py",
        "examples.py",
        "http.py",
        "etags.py",
        "responses.py",
        "operations.py",
    }
)
HTTP_FRAMEWORKS = frozenset({"fastapi", "starlette"})
SESSION_FACTORIES = frozenset({"sessionmaker", "async_sessionmaker"})
AUDIT = "app.services.audit"


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(APP.rglob("*.py"))}


@cache
def tree(name: str) -> ast.Module:
    path = modules()[name]
    return ast.parse(path.read_text(), filename=str(path))


def where(name: str, node: ast.AST) -> str:
    return f"{modules()[name].relative_to(ROOT)}:{getattr(node, 'lineno', '?')}"


def imported_base(name: str, node: ast.ImportFrom) -> str:
    """The module a `from … import` names, relative imports resolved against the importing module's package."""
    if not node.level:
        return node.module or ""
    package = name.split(".")
    if modules()[name].name != "__init__.py":
        package = package[:-1]
    package = package[: len(package) - (node.level - 1)]
    return ".".join([*package, *([node.module] if node.module else [])])


def own_module(dotted: str) -> str | None:
    """The most specific module of the project that `dotted` names (app.x.y -> app.x.y, or app.x if y is a name)."""
    parts = dotted.split(".")
    for end in range(len(parts), 0, -1):
        if ".".join(parts[:end]) in modules():
            return ".".join(parts[:end])
    return None


def imports_of(name: str) -> dict[str, ast.AST]:
    """Every project module `name` imports, anywhere in the file, with the first statement that does."""
    found: dict[str, ast.AST] = {}
    for node in ast.walk(tree(name)):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = imported_base(name, node)
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules() else base for alias in node.names]
        for target in targets:
            module = own_module(target)
            if module is not None:
                found.setdefault(module, node)
    return found


def cycles(graph: dict[str, dict[str, ast.AST]]) -> list[list[str]]:
    """One cycle for every back edge a depth-first walk meets, each as the modules along it."""
    state: dict[str, str] = {}
    path: list[str] = []
    found: list[list[str]] = []

    def visit(module: str) -> None:
        state[module] = "open"
        path.append(module)
        for target in sorted(graph[module]):
            if state.get(target) == "open":
                found.append([*path[path.index(target) :], target])
            elif target not in state:
                visit(target)
        path.pop()
        state[module] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module)
    return found


def test_the_modules_of_the_project_import_each_other_without_a_cycle():
    graph = {name: imports_of(name) for name in modules()}
    found = cycles(graph)
    report = [
        " -> ".join(cycle) + "  (" + ", ".join(where(a, graph[a][b]) for a, b in itertools.pairwise(cycle)) + ")"
        for cycle in found
    ]
    assert not found, "import cycles:\n" + "\n".join(report)


def test_no_service_imports_the_web_framework():
    services = [name for name in modules() if name.startswith("app.services.")]
    assert services
    offending = []
    for name in services:
        for node in ast.walk(tree(name)):
            if isinstance(node, ast.Import):
                named = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level:
                named = [node.module or ""]
            else:
                continue
            if any(module.split(".")[0] in HTTP_FRAMEWORKS for module in named):
                offending.append(f"{where(name, node)} {ast.unparse(node)}")
    assert not offending, "services importing fastapi/starlette:\n" + "\n".join(offending)


def audit_names(name: str) -> tuple[set[str], set[str]]:
    """Names bound in a module to app.services.audit itself, and to its `record` function."""
    modules_as, records_as = set(), set()
    for node in ast.walk(tree(name)):
        if isinstance(node, ast.Import):
            modules_as |= {alias.asname for alias in node.names if alias.name == AUDIT and alias.asname}
        elif isinstance(node, ast.ImportFrom):
            base = imported_base(name, node)
            for alias in node.names:
                if f"{base}.{alias.name}" == AUDIT:
                    modules_as.add(alias.asname or alias.name)
                elif base == AUDIT and alias.name == "record":
                    records_as.add(alias.asname or alias.name)
    return modules_as, records_as


def session_or_audit_uses(name: str) -> list[str]:
    audit_modules, audit_records = audit_names(name)
    uses: list[ast.AST] = []
    for node in ast.walk(tree(name)):
        opens_session = (isinstance(node, ast.Attribute) and node.attr in SESSION_FACTORIES) or (
            isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in SESSION_FACTORIES
        )
        records_audit = (
            isinstance(node, ast.Attribute)
            and node.attr == "record"
            and (ast.unparse(node.value) in audit_modules or ast.unparse(node.value) == AUDIT)
        ) or (isinstance(node, ast.Name) and node.id in audit_records)
        if opens_session or records_audit:
            uses.append(node)
    return [f"{where(name, node)} {ast.unparse(node)}" for node in sorted(uses, key=lambda node: node.lineno)]


def test_no_router_opens_a_session_or_writes_an_audit_record_itself():
    routers = [
        name for name, path in modules().items() if name.startswith("app.api.") and path.name not in MECHANISM_MODULES
    ]
    assert routers, "no router modules found under app/api/"
    offending = [use for name in routers for use in session_or_audit_uses(name)]
    assert not offending, "routers opening sessions or writing audit records:\n" + "\n".join(offending)
