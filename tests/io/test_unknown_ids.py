"""Unknown ids follow pycocotools: left out of every number, so the 12 stats equal COCOeval's.

pycocotools' ``COCOeval`` evaluates only the ground truth's ``imgIds`` and ``catIds``: detections
with other category ids are loaded but never looked at. Its ``loadRes`` *asserts* on image ids
the ground truth lacks, so the oracle gets the raw file minus only those records.
"""

import numpy as np
import pytest

from pill_compare import evaluate, load_results
from tests.analysis.eval_fixtures import coco_oracle, detections, ground_truth, random_case
from tests.conftest import write_json

UNKNOWN_CATEGORIES = (99999, 12, 0)
UNKNOWN_IMAGES = (7000, 7001)


def _with_strays(seed: int) -> tuple[dict, list[dict], list[dict]]:
    """A random case whose results get a handful of records with unknown ids mixed in.

    Returns:
        (gt document, results with strays, the same results minus unknown-image records).
    """
    case = random_case(seed)
    rng = np.random.default_rng(seed)
    results = list(case.results)
    image_ids = [img["id"] for img in case.gt["images"]]
    cats = [c["id"] for c in case.gt["categories"]]
    strays = []
    for k, cat in enumerate(UNKNOWN_CATEGORIES):  # known image, unknown category
        strays.append(
            {
                "image_id": int(rng.choice(image_ids)),
                "category_id": cat,
                "bbox": [10.0 * k, 5.0, 20.0, 30.0],
                "score": 0.95,
            }
        )
    for image_id in UNKNOWN_IMAGES:  # unknown image, known category
        strays.append(
            {
                "image_id": image_id,
                "category_id": int(rng.choice(cats)),
                "bbox": [1.0, 2.0, 40.0, 50.0],
                "score": 0.99,
            }
        )
    for stray in strays:
        results.insert(int(rng.integers(0, len(results) + 1)), stray)
    known_images = [r for r in results if r["image_id"] not in UNKNOWN_IMAGES]
    return case.gt, results, known_images


def _stats(result) -> np.ndarray:
    return np.array([-1.0 if v is None else v for v in result.coco.stats.values()])


SEEDS = [s for s in range(2000, 2060) if random_case(s).gt["annotations"]][:40]


@pytest.mark.parametrize("seed", SEEDS)
def test_a_file_with_stray_ids_gives_exactly_pycocotools_stats(tmp_path, seed):
    doc, results, known_images = _with_strays(seed)
    gt = ground_truth(doc)
    dets = load_results(write_json(tmp_path, "strays.json", results), gt=gt)
    result = evaluate(gt, dets)
    oracle = coco_oracle(doc, known_images)
    assert np.array_equal(_stats(result), oracle.stats)  # bit-identical
    assert dets.left_out.detections == len(UNKNOWN_CATEGORIES) + len(UNKNOWN_IMAGES)
    assert set(dets.left_out.image_ids) == set(UNKNOWN_IMAGES)
    assert set(dets.left_out.category_ids) == set(UNKNOWN_CATEGORIES)


def test_one_warning_per_file_and_no_second_one_from_evaluate(tmp_path):
    doc, results, _ = _with_strays(SEEDS[0])
    gt = ground_truth(doc)
    dets = load_results(write_json(tmp_path, "strays.json", results), gt=gt)
    left = [w for w in dets.warnings if "left out" in w]
    assert len(left) == 1
    assert left[0].startswith(
        f"{tmp_path / 'strays.json'}: 5 of {len(results)} detections left out"
    )
    assert (
        "category ids 0 (1), 12 (1), 99999 (1) and image ids 7000 (1), 7001 (1) are not in the "
        "ground truth (gt.json)"
    ) in left[0]
    caveats = evaluate(gt, dets).caveats
    assert [c for c in caveats if "left out" in c] == left


def test_in_memory_detections_are_restricted_by_evaluate_the_same_way():
    doc, results, known_images = _with_strays(SEEDS[1])
    gt = ground_truth(doc)
    from_memory = evaluate(gt, detections(results))
    assert np.array_equal(_stats(from_memory), coco_oracle(doc, known_images).stats)
    assert from_memory.left_out.detections == 5
    assert sum("left out" in c for c in from_memory.caveats) == 1
