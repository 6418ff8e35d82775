"""The layers contract: every module of app/ imports only its own layer or lower ones, and no two modules import
each other (directly or round a loop). The order is docs/architecture.md's; a new domain is added to LAYERS."""

import ast
import pathlib

APP = pathlib.Path(__file__).resolve().parent.parent / "app"
FOUNDATION = ("core", "errors", "extensions", "jobs", "wechat")
# lowest first; each entry may import itself and everything before it
LAYERS = ("security", "auth", "regions", "files", "notify", "disclosures", "qr", "reports", "contacts", "members",
          "services", "triage", "ratings", "integrity")
TOP = ("demo", "public", "console")  # above every domain; nothing imports them, nor do they import each other
# the background worker builds the app it runs jobs in (the one upward import, and only of the factory)
ALLOWED = {("app.jobs", "app")}


def _modules():
    found = {}
    for path in APP.rglob("*.py"):
        parts = list(path.relative_to(APP.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def _imports(path, modules):
    """Every app module a file imports, at module level or inside a function."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module and node.module.startswith("app"):
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                out.add(full if full in modules else node.module)
        elif isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.startswith("app")}
    return out


def _layer(module):
    parts = module.split(".")
    return "app" if len(parts) == 1 else parts[1]


def _rank(layer):
    if layer in FOUNDATION:
        return 0
    if layer in LAYERS:
        return 1 + LAYERS.index(layer)
    if layer in TOP:
        return 1 + len(LAYERS)
    return None


def test_every_package_has_a_place_in_the_order():
    packages = {p.name for p in APP.iterdir() if (p / "__init__.py").exists()}
    packages |= {p.stem for p in APP.glob("*.py") if p.stem != "__init__"}
    assert sorted(p for p in packages if _rank(p) is None) == [], "add the new package to LAYERS"


def test_no_module_imports_up_the_order():
    modules = _modules()
    wrong = []
    for module, path in modules.items():
        source = _layer(module)
        if source == "app":  # the factory wires everything together
            continue
        for target in _imports(path, modules):
            into = _layer(target)
            if into == source or (module, target) in ALLOWED:
                continue
            if into == "app" or _rank(into) > _rank(source) or (into in TOP):
                wrong.append(f"{module} -> {target}")
    assert wrong == [], "模块越层导入：\n" + "\n".join(sorted(wrong))


def test_no_import_cycles_between_files():
    modules = _modules()
    graph = {m: {t for t in _imports(p, modules) if t in modules and t not in (m, "app")} for m, p in modules.items()}
    index, low, stack, on_stack, cycles, counter = {}, {}, [], set(), [], [0]

    def visit(node):  # Tarjan's strongly connected components
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(" <-> ".join(sorted(component)))

    for module in graph:
        if module not in index:
            visit(module)
    assert cycles == [], "文件之间循环导入：\n" + "\n".join(cycles)


def test_the_contract_catches_an_upward_import(tmp_path):
    """The check itself can fail: a regions module importing triage is reported."""
    fake = tmp_path / "app"
    for package in ("regions", "triage"):
        (fake / package).mkdir(parents=True)
        (fake / package / "__init__.py").write_text("")
    (fake / "regions" / "bad.py").write_text("from app.triage.service import apply_action\n")
    (fake / "triage" / "service.py").write_text("def apply_action():\n    pass\n")
    globals()["APP"], saved = fake, APP
    try:
        try:
            test_no_module_imports_up_the_order()
        except AssertionError as err:
            assert "app.regions.bad -> app.triage.service" in str(err)
        else:
            raise AssertionError("an upward import went unnoticed")
    finally:
        globals()["APP"] = saved
