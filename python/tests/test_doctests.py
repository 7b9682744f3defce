"""Every docstring example of the package runs as a doctest: the compiled
module's classes, methods and functions, and the Python modules."""

import doctest
import inspect

import audit_cef
import audit_cef._errors


def docstrings():
    """(name, docstring) of every public object and member of the package."""
    seen = {}
    for module in (audit_cef, audit_cef._errors):
        seen[module.__name__] = module.__doc__ or ""
    for name in audit_cef.__all__:
        obj = getattr(audit_cef, name)
        if not (inspect.isclass(obj) or callable(obj)):
            continue
        seen[f"audit_cef.{name}"] = obj.__doc__ or ""
        if inspect.isclass(obj):
            for member, value in vars(obj).items():
                if member.startswith("_"):
                    continue
                seen[f"audit_cef.{name}.{member}"] = getattr(value, "__doc__", None) or ""
    return seen


def test_every_public_item_has_a_docstring():
    missing = [name for name, doc in docstrings().items() if not doc.strip()]
    assert not missing, missing


def test_docstring_examples_run():
    parser = doctest.DocTestParser()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    examples = 0
    for name, doc in docstrings().items():
        test = parser.get_doctest(doc, {"audit_cef": audit_cef}, name, None, 0)
        examples += len(test.examples)
        runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, f"{result.failed} doctest examples failed (see the output above)"
    assert examples >= 60, f"only {examples} examples found"
