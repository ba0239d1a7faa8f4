"""Importing the package and its CLI never pulls in torch / torchvision / timm."""

import subprocess
import sys
from pathlib import Path

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


LIBRARY_CODE = (
    "import sys\n"
    "from pill_compare import diff, evaluate, load_ground_truth, load_results\n"
    "after_import = sorted(m for m in ('pandas', 'scipy') if m in sys.modules)\n"
    "gt = load_ground_truth('data/sample/ground_truth.json')\n"
    "a = load_results('data/sample/efficientnet_b3.json', gt=gt)\n"
    "b = load_results('data/sample/resnet101.json', gt=gt)\n"
    "evaluate(gt, b).to_dict()\n"
    "diff(a, b, gt=gt)\n"
    "after_use = sorted(m for m in ('pandas', 'scipy') if m in sys.modules)\n"
    "print(','.join(after_import) + ';' + ','.join(after_use))\n"
)


def test_the_library_imports_pandas_and_scipy_only_when_a_frame_or_a_test_needs_them():
    # pandas takes ~0.3 s to import and scipy more: `import pill_compare`, loading, evaluate
    # (its JSON included: `pillcmp eval -f json`) and diff (what pill-scale commands spend
    # their time on) need neither.
    repo = Path(__file__).resolve().parents[1]
    proc = subprocess.run(
        [sys.executable, "-c", LIBRARY_CODE],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        cwd=repo,
    )
    assert proc.stdout.strip() == ";"
