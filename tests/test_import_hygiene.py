"""Importing the package and its CLI never pulls in torch / torchvision / timm."""

import subprocess
import sys

CODE = (
    "import sys\n"
    "import pill_compare, pill_compare.cli, pill_compare.io, pill_compare.analysis\n"
    "import pill_compare.report.diff_render, pill_compare.report.imbalance_render\n"
    "heavy = sorted(m for m in ('torch', 'torchvision', 'timm', 'matplotlib') if m in sys.modules)\n"
    "print(','.join(heavy))\n"
)


def test_package_and_cli_import_no_deep_learning_framework():
    proc = subprocess.run(
        [sys.executable, "-c", CODE], capture_output=True, text=True, timeout=60, check=True
    )
    loaded = set(filter(None, proc.stdout.strip().split(",")))
    assert not loaded & {"torch", "torchvision", "timm"}
    assert "matplotlib" not in loaded  # plots import it lazily, only when asked for a figure
