"""The type stubs (_native.pyi) describe the compiled module as it is:
the same names, the same public members, the same parameters; and they
ship in the package with py.typed."""

import ast
import importlib.resources
import inspect

import audit_cef
import audit_cef._native as native


def stub_tree():
    text = importlib.resources.files("audit_cef").joinpath("_native.pyi").read_text()
    return ast.parse(text)


def test_package_ships_stubs_and_marker():
    files = importlib.resources.files("audit_cef")
    assert files.joinpath("py.typed").is_file()
    assert files.joinpath("_native.pyi").is_file()


def test_stub_names_match_the_module():
    tree = stub_tree()
    stub_top = {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
    runtime_top = {n for n in dir(native) if not n.startswith("_") and (callable(getattr(native, n)))}
    assert stub_top == runtime_top
    for cls in (n for n in tree.body if isinstance(n, ast.ClassDef)):
        stub_members = {m.name for m in cls.body if isinstance(m, ast.FunctionDef) and not m.name.startswith("_")}
        runtime = getattr(native, cls.name)
        runtime_members = {m for m in vars(runtime) if not m.startswith("_")}
        assert stub_members == runtime_members, cls.name


def test_stub_parameters_match_the_signatures():
    tree = stub_tree()
    checked = 0
    for node in ast.walk(tree):
        if not isinstance(node, ast.ClassDef):
            continue
        runtime = getattr(native, node.name)
        for member in node.body:
            if not isinstance(member, ast.FunctionDef) or member.name.startswith("__"):
                continue
            if any(isinstance(d, ast.Name) and d.id == "property" for d in member.decorator_list):
                continue
            try:
                signature = inspect.signature(getattr(runtime, member.name))
            except (ValueError, TypeError):
                continue
            runtime_params = [p for p in signature.parameters if p not in ("self", "kwargs")]
            args = member.args
            stub_params = [a.arg for a in args.posonlyargs + args.args + args.kwonlyargs if a.arg != "self"]
            # **kwargs families: the stub spells the shared keywords out; the named ones come first.
            assert stub_params[:len(runtime_params)] == runtime_params, f"{node.name}.{member.name}"
            checked += 1
    for name in ("parse", "parse_lines", "render"):
        function = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == name)
        args = function.args
        stub_params = [a.arg for a in args.args + args.kwonlyargs]
        assert stub_params == list(inspect.signature(getattr(audit_cef, name)).parameters), name
        checked += 1
    assert checked > 15


def test_installed_wheel_is_abi3_from_cpython_3_9():
    import importlib.metadata

    wheel = importlib.metadata.distribution("audit-cef").read_text("WHEEL") or ""
    tags = [line.split(":", 1)[1].strip() for line in wheel.splitlines() if line.startswith("Tag:")]
    assert tags and all(tag.startswith("cp39-abi3-") for tag in tags), tags
