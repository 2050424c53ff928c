"""Paste the current `mxlog demo` output into README.md (tests/test_cli.py checks they agree)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MARK = "$ make demo\n.venv/bin/mxlog demo\n"

out = subprocess.run([str(ROOT / ".venv/bin/mxlog"), "demo"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
readme = (ROOT / "README.md").read_text()
head, rest = readme.split(MARK, 1)
_, tail = rest.split("```", 1)
(ROOT / "README.md").write_text(head + MARK + out + "```" + tail)
print("README demo block refreshed", file=sys.stderr)
