"""A second reference: faster-coco-eval (a C++ reimplementation of pycocotools) gives the same
12 stats as pillcmp on the random datasets the pycocotools tests use, and on the sample. Two
independent references that agree with pillcmp make a shared mistake unlikely."""

from __future__ import annotations

import contextlib
import io

import numpy as np
import pytest

from tests.analysis.eval_fixtures import detections, ground_truth, random_case
from tests.analysis.test_coco_metrics import _seeds, _stats_as_pycocotools
from tests.conftest import SAMPLE

faster_coco_eval = pytest.importorskip("faster_coco_eval")


def _faster_stats(gt: dict, results: list[dict]) -> np.ndarray:
    import warnings

    from faster_coco_eval import COCO, COCOeval_faster

    # It warns on annotation id 0, which the random cases hold on purpose (pycocotools' quirk,
    # reproduced and tested elsewhere); both tools then count that match the same way.
    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        coco_gt = COCO(gt)
        coco_dt = coco_gt.loadRes([dict(r) for r in results])
        ev = COCOeval_faster(coco_gt, coco_dt, "bbox", print_function=lambda *a, **k: None)
        ev.evaluate()
        ev.accumulate()
        ev.summarize()
    return np.asarray(ev.stats[:12], dtype=np.float64)


@pytest.mark.parametrize("seed", _seeds(1000, 25))
def test_random_datasets_give_faster_coco_evals_stats(seed):
    from pill_compare.analysis.evaluate import evaluate

    case = random_case(seed)
    if not case.results:
        pytest.skip("faster-coco-eval's loadRes, like pycocotools', needs a detection")
    ours = _stats_as_pycocotools(
        evaluate(ground_truth(case.gt), detections(case.results)).coco.stats
    )
    theirs = _faster_stats(case.gt, case.results)
    # -1 (undefined) where either is undefined; else equal to 1e-12 (a C++ sum order)
    assert np.array_equal(ours == -1, theirs == -1)
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-12)


def test_the_sample_gives_faster_coco_evals_stats_exactly():
    import json

    from pill_compare import evaluate, load_ground_truth, load_results

    gt = load_ground_truth(SAMPLE / "ground_truth.json")
    for name in ("resnet101", "efficientnet_b3"):
        ours = _stats_as_pycocotools(
            evaluate(gt, load_results(SAMPLE / f"{name}.json", gt=gt)).coco.stats
        )
        records = json.loads((SAMPLE / f"{name}.json").read_text(encoding="utf-8"))
        doc = json.loads((SAMPLE / "ground_truth.json").read_text(encoding="utf-8"))
        assert np.array_equal(ours, _faster_stats(doc, records))
