"""tools/long_functions.py: a function over the limit is listed to split unless a `# Long:`
comment above it says why; a module over ~500 lines is always listed."""

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("long_functions", ROOT / "tools/long_functions.py")
long_functions = importlib.util.module_from_spec(spec)
spec.loader.exec_module(long_functions)


def _module(tmp_path, text):
    path = tmp_path / "sample.py"
    path.write_text(text)
    return path


def test_a_long_function_without_a_reason_fails_the_check(tmp_path, capsys):
    body = "\n".join(f"    x{n} = {n}" for n in range(70))
    path = _module(tmp_path, f"def short():\n    return 1\n\n\ndef long_one():\n{body}\n")
    assert long_functions.main([str(path), "--check"]) == 1
    out = capsys.readouterr().out
    assert "long_one, 71 lines: split it or say why" in out and "short" not in out


def test_a_reason_next_to_it_is_shown_and_passes(tmp_path, capsys):
    body = "\n".join(f"    x{n} = {n}" for n in range(70))
    path = _module(tmp_path, "# Long: the store's rule reads top to bottom;\n# one place.\n"
                             f"@staticmethod\ndef long_one():\n{body}\n")
    assert long_functions.main([str(path), "--check"]) == 0
    assert "(long: the store's rule reads top to bottom; one place.)" in capsys.readouterr().out


def test_a_module_over_the_limit_fails_the_check(tmp_path, capsys):
    path = _module(tmp_path, "\n".join(f"x{n} = {n}" for n in range(501)) + "\n")
    assert long_functions.main([str(path), "--check"]) == 1
    assert "module of 501 lines: split it" in capsys.readouterr().out
