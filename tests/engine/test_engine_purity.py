"""The engine imports neither Django nor anything of ours outside the engine."""

import re
import subprocess
import sys
from pathlib import Path


def test_engine_imports_no_django_and_nothing_of_ours():
    code = (
        "import sys, impactnum.engine as e;"
        "bad = sorted(m for m in sys.modules if m.startswith('django') or "
        "(m.startswith('impactnum.') and not m.startswith('impactnum.engine')));"
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_engine_source_has_no_forbidden_import():
    import impactnum.engine

    ours_outside_engine = re.compile(r"^\s*(from|import)\s+impactnum\.(?!engine\b)", re.M)
    for path in Path(impactnum.engine.__file__).parent.glob("*.py"):
        text = path.read_text()
        assert not re.search(r"^\s*(from|import)\s+django", text, re.M), path
        assert not ours_outside_engine.search(text), path
