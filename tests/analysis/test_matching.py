"""The match table: pycocotools' matching reproduced pair by pair, and its class-agnostic view."""

from __future__ import annotations

import numpy as np
import pytest

from pill_compare.analysis.boxes import overlapping_pairs
from pill_compare.analysis.matching import (
    COCO_AREA_RANGES,
    FP,
    IGNORED,
    TP,
    coco_iou_thresholds,
    match_detections,
    present_categories,
)
from tests.analysis.eval_fixtures import (
    box,
    coco_oracle,
    detections,
    ground_truth,
    gt_doc,
    random_case,
)


def _table(annotations, results, **kwargs):
    gt = ground_truth(gt_doc(annotations, **kwargs.pop("doc", {})))
    return match_detections(gt, detections(results), **kwargs)


def test_iou_thresholds_are_bit_identical_to_pycocotools():
    from pycocotools.cocoeval import Params

    assert np.array_equal(coco_iou_thresholds(), Params(iouType="bbox").iouThrs)
    # The pill competition's mAP@[0.75:0.95]: 5 thresholds, built the same way.
    assert coco_iou_thresholds(0.75, 0.95, 0.05).tolist() == np.linspace(0.75, 0.95, 5).tolist()


#: Seeds whose random case has annotations (pycocotools cannot evaluate without).
SEEDS = [s for s in range(140) if random_case(s).gt["annotations"]][:120]


@pytest.mark.parametrize("seed", SEEDS)
def test_matches_equal_pycocotools_evaluate_img(seed):
    """Every dtMatches / gtMatches / dtIgnore entry of pycocotools' evalImgs, for each area."""
    case = random_case(seed)
    oracle = coco_oracle(case.gt, case.results)
    table = match_detections(ground_truth(case.gt), detections(case.results))
    ann_ids = table.gt.annotations.id
    row_of_ann = {int(a): i for i, a in enumerate(ann_ids.tolist())}
    areas = {tuple(r[1:]): a for a, r in enumerate(COCO_AREA_RANGES)}
    checked = 0
    for e in oracle.eval_imgs:
        if e is None:
            continue
        a = areas[tuple(e["aRng"])]
        det_rows = np.array(e["dtIds"], dtype=np.int64) - 1  # loadRes ids are index + 1
        gt_rows = np.array([row_of_ann[g] for g in e["gtIds"]], dtype=np.int64)
        ours = table.det_gt[a][:, det_rows]
        matched_ids = np.where(ours >= 0, ann_ids[np.maximum(ours, 0)], 0)
        assert np.array_equal(matched_ids, e["dtMatches"])
        gt_ours = table.gt_det[a][:, gt_rows]
        assert np.array_equal(np.where(gt_ours >= 0, gt_ours + 1, 0), e["gtMatches"])
        assert np.array_equal(table.det_status[a][:, det_rows] == IGNORED, e["dtIgnore"])
        assert np.array_equal(table.gt_status[a, 0, gt_rows] == IGNORED, e["gtIgnore"] == 1)
        checked += 1
    assert checked > 0


def test_equal_iou_goes_to_the_later_gt():
    # Two identical GT boxes, one detection on them: pycocotools' `>=` scan keeps the later GT.
    anns = [
        {"image_id": 1, "category_id": 1, "bbox": box(0, 0, 10, 10)},
        {"image_id": 1, "category_id": 1, "bbox": box(0, 0, 10, 10)},
    ]
    table = _table(anns, [{"image_id": 1, "category_id": 1, "bbox": box(0, 0, 10, 10), "score": 1}])
    assert table.det_gt[0, 0, 0] == 1
    assert table.gt_status[0, 0].tolist() == [0, TP]


def test_equal_scores_are_visited_in_file_order():
    # One GT; two identical detections with the same score: the first in the file takes it.
    anns = [{"image_id": 1, "category_id": 1, "bbox": box(0, 0, 10, 10)}]
    rec = {"image_id": 1, "category_id": 1, "bbox": box(0, 0, 10, 10), "score": 0.5}
    table = _table(anns, [dict(rec), dict(rec)])
    assert table.det_rank.tolist() == [0, 1]
    assert table.det_status[0, 0].tolist() == [TP, FP]


def test_crowd_region_absorbs_every_detection_inside_it():
    # A 100x100 crowd region; two 10x10 detections inside: crowd IoU = inter / det area = 1.
    anns = [{"image_id": 1, "category_id": 1, "bbox": box(0, 0, 100, 100), "iscrowd": 1}]
    results = [
        {"image_id": 1, "category_id": 1, "bbox": box(5, 5, 10, 10), "score": 0.9},
        {"image_id": 1, "category_id": 1, "bbox": box(50, 50, 10, 10), "score": 0.8},
    ]
    table = _table(anns, results)
    assert (table.det_status[:, :, :] == IGNORED).all()
    assert (table.gt_status == IGNORED).all()


def test_a_regular_gt_wins_over_an_ignored_one_with_higher_iou():
    # GT 0: 40x40 (area 1600, ignored under 'small'); GT 1: 20x20 (area 400). A 36x36 detection
    # at the origin: IoU with GT 0 = 1296/1600 = 0.81, with GT 1 = 400/1296 = 0.309.
    anns = [
        {"image_id": 1, "category_id": 1, "bbox": box(0, 0, 40, 40)},
        {"image_id": 1, "category_id": 1, "bbox": box(0, 0, 20, 20)},
    ]
    results = [{"image_id": 1, "category_id": 1, "bbox": box(0, 0, 36, 36), "score": 0.9}]
    table = _table(anns, results, iou_thresholds=[0.3, 0.5])
    # 'all': both GTs count, the higher IoU wins at both thresholds.
    everything = table.area_index("all")
    assert table.det_gt[everything, :, 0].tolist() == [0, 0]
    assert table.det_status[everything, :, 0].tolist() == [TP, TP]
    # 'small': at 0.3 the regular GT 1 wins despite its lower IoU; at 0.5 only the ignored GT 0
    # qualifies, so the detection is ignored (neither TP nor FP).
    small = table.area_index("small")
    assert table.det_gt[small, :, 0].tolist() == [1, 0]
    assert table.det_status[small, :, 0].tolist() == [TP, IGNORED]


def test_threshold_one_still_matches_a_perfect_box():
    # pycocotools caps t at 1 - 1e-10, so IoU 1.0 passes t = 1.0.
    anns = [{"image_id": 1, "category_id": 1, "bbox": box(3, 4, 10, 10)}]
    results = [{"image_id": 1, "category_id": 1, "bbox": box(3, 4, 10, 10), "score": 0.9}]
    table = _table(anns, results, iou_thresholds=[1.0])
    assert table.det_status[0, 0, 0] == TP


def test_class_agnostic_view_keeps_the_best_gt_of_any_class():
    # GT: class 1 at (0,0,10,10), class 2 at (20,0,10,10). Detection of class 2 on the first box:
    # class-aware it is an FP; class-agnostic it matches GT row 0 (a classification error).
    anns = [
        {"image_id": 1, "category_id": 1, "bbox": box(0, 0, 10, 10)},
        {"image_id": 1, "category_id": 2, "bbox": box(20, 0, 10, 10)},
    ]
    results = [{"image_id": 1, "category_id": 2, "bbox": box(0, 0, 10, 9), "score": 0.9}]
    table = _table(anns, results)
    assert table.det_status[0, 0, 0] == FP
    assert table.best_gt[0] == 0 and table.best_iou[0] == pytest.approx(0.9)
    assert table.best_same_class_gt[0] == -1 and table.best_same_class_iou[0] == 0.0
    assert table.agnostic_gt[0] == 0 and table.agnostic_status[0] == TP
    assert table.gt_agnostic_det.tolist() == [0, -1]


def test_class_agnostic_matching_is_one_to_one_greedy_by_score():
    # One GT; two detections of other classes on it: the higher score takes it, the other is FP.
    anns = [{"image_id": 1, "category_id": 1, "bbox": box(0, 0, 10, 10)}]
    results = [
        {"image_id": 1, "category_id": 2, "bbox": box(0, 0, 10, 10), "score": 0.4},
        {"image_id": 1, "category_id": 3, "bbox": box(1, 0, 10, 10), "score": 0.8},
    ]
    table = _table(anns, results, doc={"categories": [1, 2, 3]})
    assert table.agnostic_gt.tolist() == [-1, 0]
    assert table.agnostic_status.tolist() == [FP, TP]


def test_frames_have_a_row_per_detection_and_per_gt():
    case = random_case(3)
    table = match_detections(ground_truth(case.gt), detections(case.results))
    frame = table.to_frame()
    assert (frame["kind"] == "det").sum() == table.n_dets
    assert (frame["kind"] == "gt").sum() == table.n_gts
    assert {"gt_id@0.5", "iou@0.5", "status@0.5", "det_row@0.95", "best_iou"} <= set(frame.columns)
    dets = frame[frame["kind"] == "det"]
    tp = dets["status@0.5"] == "TP"
    assert (dets.loc[tp, "iou@0.5"] >= 0.5).all()
    assert dets.loc[dets["status@0.5"] == "FP", "gt_id@0.5"].isna().all()


def test_matching_nothing_gives_an_empty_table():
    anns = [{"image_id": 1, "category_id": 1, "bbox": box(0, 0, 10, 10)}]
    table = _table(anns, [])
    assert table.det_gt.shape == (4, 10, 0)
    assert (table.gt_status[0] == 0).all()  # every GT missed


@pytest.mark.parametrize("bad", [[0.0], [1.5], [], [-0.2, 0.5]])
def test_thresholds_outside_zero_one_are_refused(bad):
    anns = [{"image_id": 1, "category_id": 1, "bbox": box(0, 0, 10, 10)}]
    with pytest.raises(ValueError, match=r"Expected (IoU thresholds in \(0, 1\]|at least one)"):
        _table(anns, [], iou_thresholds=bad)


def test_metrics_refuse_a_table_with_undeclared_categories():
    # The loaders refuse such detections; a table built from unchecked arrays is refused too.
    from pill_compare.analysis.operating_point import compute_operating_point

    anns = [{"image_id": 1, "category_id": 1, "bbox": box(0, 0, 10, 10)}]
    table = _table(anns, [{"image_id": 1, "category_id": 9, "bbox": box(0, 0, 9, 9), "score": 1}])
    with pytest.raises(ValueError, match=r"Expected detection category ids declared .*\[9\]"):
        compute_operating_point(table, score_threshold=0.5, iou_threshold=0.5)


def _category_major(case):
    """The case with annotations and results in (category, file) order: the order pycocotools
    concatenates them in with ``useCats=0``, so that its ties fall where ours do."""
    anns = sorted(case.gt["annotations"], key=lambda a: a["category_id"])  # stable
    results = sorted(case.results, key=lambda r: r["category_id"])
    return {**case.gt, "annotations": anns}, results


@pytest.mark.parametrize("seed", SEEDS[:60])
@pytest.mark.parametrize("threshold", [0.5, 0.75])
def test_class_agnostic_matching_equals_pycocotools_without_categories(seed, threshold):
    """pycocotools with ``useCats=0`` matches per image across categories, the same greedy rule
    (crowd regions last and never used up); its dtMatches and dtIgnore equal agnostic_gt and
    agnostic_status == IGNORED for every detection it keeps (the top 100 per image)."""
    import contextlib
    import io

    from pycocotools.coco import COCO
    from pycocotools.cocoeval import COCOeval

    gt_doc_, results = _category_major(random_case(seed))
    table = match_detections(
        ground_truth(gt_doc_), detections(results), agnostic_iou_threshold=threshold
    )
    if not results:
        assert table.agnostic_gt.size == 0
        return
    with contextlib.redirect_stdout(io.StringIO()):
        coco_gt = COCO()
        coco_gt.dataset = {k: list(v) for k, v in gt_doc_.items()}
        coco_gt.createIndex()
        ev = COCOeval(coco_gt, coco_gt.loadRes([dict(r) for r in results]), "bbox")
        ev.params.useCats = 0
        ev.params.iouThrs = np.array([threshold])
        ev.params.areaRng, ev.params.areaRngLbl = [[0, 1e5**2]], ["all"]
        ev.params.maxDets = [100]
        ev.evaluate()
    ann_ids = table.gt.annotations.id
    checked = 0
    for e in ev.evalImgs:
        if e is None:
            continue
        rows = np.array(e["dtIds"], dtype=np.int64) - 1  # loadRes ids are index + 1
        ours = table.agnostic_gt[rows]
        assert np.array_equal(
            np.where(ours >= 0, ann_ids[np.maximum(ours, 0)], 0), e["dtMatches"][0]
        )
        assert np.array_equal(table.agnostic_status[rows] == IGNORED, e["dtIgnore"][0])
        checked += rows.size
    per_image = np.unique([r["image_id"] for r in results], return_counts=True)[1]
    assert checked == np.minimum(per_image, 100).sum()  # every detection pycocotools kept


# --- the overlap pairs the table keeps ----------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS[:80])
def test_stored_pairs_are_every_overlapping_pair_of_overlapping_pairs(seed):
    """The table keeps exactly what overlapping_pairs gives (every category, crowd IoU for crowd
    regions), sorted by detection row, then GT row."""
    case = random_case(seed)
    gt, dets = ground_truth(case.gt), detections(case.results)
    table = match_detections(gt, dets)
    ann = gt.annotations
    want = overlapping_pairs(
        dets.image_id, dets.bbox, ann.image_id, ann.bbox, right_iscrowd=ann.iscrowd
    )
    got = table.overlaps()
    for ours, theirs in zip(got, want, strict=True):
        assert ours.dtype == theirs.dtype and np.array_equal(ours, theirs)
    assert (got.left, got.right, got.iou) == (table.pair_det, table.pair_gt, table.pair_iou)
    key = got.left * max(table.n_gts, 1) + got.right
    assert np.all(np.diff(key) > 0)  # sorted by detection, then GT row; no pair twice


def _pycocotools_ious(doc, results, use_cats):
    """{(detection row, GT row): IoU} of every entry > 0 of pycocotools' ``computeIoU`` blocks
    (``COCOeval.ious``), its rows and columns mapped back through computeIoU's own orders."""
    import contextlib
    import io

    from pycocotools.coco import COCO
    from pycocotools.cocoeval import COCOeval

    with contextlib.redirect_stdout(io.StringIO()):
        coco_gt = COCO()
        coco_gt.dataset = {k: list(v) for k, v in doc.items()}
        coco_gt.createIndex()
        ev = COCOeval(coco_gt, coco_gt.loadRes([dict(r) for r in results]), "bbox")
        ev.params.useCats = use_cats
        ev.params.maxDets = [1000]  # computeIoU drops detections beyond the last maxDets
        ev.evaluate()
    row_of_ann = {a["id"]: i for i, a in enumerate(doc["annotations"])}
    out = {}
    for (image_id, cat), ious in ev.ious.items():
        if len(ious) == 0:
            continue
        cats = [cat] if use_cats else ev.params.catIds
        gts = [g for c in cats for g in ev._gts[image_id, c]]
        dts = [d for c in cats for d in ev._dts[image_id, c]]
        dts = [dts[i] for i in np.argsort([-d["score"] for d in dts], kind="mergesort")]
        for i, j in zip(*np.nonzero(np.asarray(ious) > 0), strict=True):
            out[dts[i]["id"] - 1, row_of_ann[gts[j]["id"]]] = float(ious[i, j])  # id = row + 1
    return out


@pytest.mark.parametrize("use_cats", [1, 0])
@pytest.mark.parametrize("seed", SEEDS[:60])
def test_stored_pairs_equal_pycocotools_compute_iou(seed, use_cats):
    """Every entry > 0 of pycocotools' IoU matrices, bit for bit and nothing else: per (image,
    category) for the same-category pairs (useCats=1), per image for all of them (useCats=0).
    Crowd regions (in most cases here) have pycocotools' crowd IoU, intersection / det area."""
    case = random_case(seed)
    table = match_detections(ground_truth(case.gt), detections(case.results))
    if not case.results:
        assert table.pair_det.size == 0
        return
    ann = table.gt.annotations
    assert ann.id.tolist() == [a["id"] for a in case.gt["annotations"]]  # rows in file order
    det, gt, iou = table.overlaps()
    if use_cats:
        same = table.dets.category_id[det] == ann.category_id[gt]
        det, gt, iou = det[same], gt[same], iou[same]
    ours = dict(zip(zip(det.tolist(), gt.tolist(), strict=True), iou.tolist(), strict=True))
    assert ours == _pycocotools_ious(case.gt, case.results, use_cats)


def test_crowd_pairs_store_the_crowd_iou():
    # A 10x10 detection inside a 100x100 crowd region: crowd IoU = 100 / 100 = 1 (the plain
    # IoU would be 100 / 10000); half over a regular 10x10 GT: 50 / (100 + 100 - 50) = 1/3.
    anns = [
        {"image_id": 1, "category_id": 1, "bbox": box(0, 0, 100, 100), "iscrowd": 1},
        {"image_id": 1, "category_id": 2, "bbox": box(15, 10, 10, 10)},
    ]
    table = _table(
        anns, [{"image_id": 1, "category_id": 2, "bbox": box(10, 10, 10, 10), "score": 1}]
    )
    assert table.pair_det.tolist() == [0, 0]
    assert table.pair_gt.tolist() == [0, 1]
    assert table.pair_iou.tolist() == [1.0, 50 / 150]


def test_overlaps_keeps_the_pairs_of_the_masked_rows():
    # Image 1: d0, d1 on g0 and d1 also on g1 (other class); image 2: d2 on g2.
    anns = [
        {"image_id": 1, "category_id": 1, "bbox": box(0, 0, 10, 10)},
        {"image_id": 1, "category_id": 2, "bbox": box(5, 0, 10, 10)},
        {"image_id": 2, "category_id": 1, "bbox": box(0, 0, 10, 10)},
    ]
    results = [
        {"image_id": 1, "category_id": 1, "bbox": box(0, 0, 10, 10), "score": 0.9},
        {"image_id": 1, "category_id": 1, "bbox": box(4, 0, 10, 10), "score": 0.8},
        {"image_id": 2, "category_id": 1, "bbox": box(0, 0, 10, 10), "score": 0.7},
    ]
    table = _table(anns, results)
    assert table.overlaps().left.tolist() == [0, 0, 1, 1, 2]
    assert table.overlaps().right.tolist() == [0, 1, 0, 1, 2]
    some = table.overlaps(dets_mask=np.array([False, True, True]))
    assert (some.left.tolist(), some.right.tolist()) == ([1, 1, 2], [0, 1, 2])
    both = table.overlaps(np.array([False, True, True]), np.array([True, False, True]))
    assert (both.left.tolist(), both.right.tolist()) == ([1, 2], [0, 2])
    assert both.iou.tolist() == [6 / 14, 1.0]
    assert table.overlaps(gt_mask=np.zeros(3, dtype=bool)).left.size == 0


def test_stored_pairs_are_read_only():
    table = _table([{"image_id": 1, "category_id": 1, "bbox": box(0, 0, 10, 10)}], [])
    assert table.overlaps().iou.size == 0
    with pytest.raises(ValueError, match="read-only"):
        table.pair_iou[:] = 0.0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"dets_mask": np.ones(2, dtype=bool)},
            r"dets_mask to be a bool array of shape \(1,\), got bool of shape \(2,\)",
        ),
        (
            {"gt_mask": np.ones(1, dtype=int)},
            r"gt_mask to be a bool array of shape \(1,\), got int64",
        ),
    ],
)
def test_overlaps_refuses_a_mask_of_the_wrong_shape_or_type(kwargs, message):
    table = _table(
        [{"image_id": 1, "category_id": 1, "bbox": box(0, 0, 10, 10)}],
        [{"image_id": 1, "category_id": 1, "bbox": box(0, 0, 10, 10), "score": 1}],
    )
    with pytest.raises(ValueError, match=f"^Expected {message}"):
        table.overlaps(**kwargs)


@pytest.mark.parametrize("seed", range(6))
def test_det_gt_is_built_from_the_match_list_and_each_slice_reads_the_same(seed):
    case = random_case(seed)
    table = match_detections(ground_truth(case.gt), detections(case.results))
    m = table.det_matches
    a_n, t_n = len(table.area_ranges), table.iou_thresholds.size
    # one entry per (area, threshold, detection) at most, GT rows in range
    keys = (m.variant.astype(np.int64) * t_n + m.threshold) * max(table.n_dets, 1) + m.left
    assert np.unique(keys).size == keys.size
    assert m.right.size == 0 or 0 <= m.right.min() <= m.right.max() < table.n_gts
    slices = [[table.det_gt_at(a, t) for t in range(t_n)] for a in range(a_n)]  # before det_gt
    dense = table.det_gt
    assert dense.shape == (a_n, t_n, table.n_dets) and dense.dtype == np.int32
    assert np.array_equal(dense, np.array(slices).reshape(dense.shape))
    assert np.array_equal(table.det_gt_at(-1, -1), dense[-1, -1])
    assert table.det_gt is dense and not dense.flags.writeable  # built once, shared
    # a match is TP or IGNORED, never FP; a detection without one is never TP
    assert np.all(table.det_status[dense >= 0] != FP)
    assert np.all(table.det_status[dense < 0] != TP)
    with pytest.raises(IndexError, match=r"area index in \[0, 4\)"):
        table.det_gt_at(4, 0)


def test_the_accumulation_order_is_category_then_score_then_image_then_file_order():
    # Ties everywhere (scores in halves, -0.0 beside 0.0): the order the matching builds from
    # its own sorts equals the four-key lexsort it replaces.
    rng = np.random.default_rng(3)
    annotations = [
        {"image_id": int(rng.choice([5, 9, 11])), "category_id": int(c), "bbox": box(1, 1, 4, 4)}
        for c in rng.choice([2, 7, 40], 30)
    ]
    gt = ground_truth(gt_doc(annotations, image_ids=[5, 9, 11], categories=[2, 7, 40]))
    n = 400
    score = rng.integers(0, 3, n) / 2.0
    score[rng.random(n) < 0.2] = -0.0
    dets = detections(
        [
            {"image_id": int(rng.choice([5, 9, 11])), "category_id": int(rng.choice([2, 7, 40])),
             "bbox": box(*rng.integers(0, 6, 4)), "score": float(s)}
            for s in score
        ]
    )  # fmt: skip
    table = match_detections(gt, dets)
    want = np.lexsort((np.arange(n), dets.image_id, -dets.score, dets.category_id))
    assert np.array_equal(table.accumulation_order(), want)


@pytest.mark.parametrize("ids", [[3, 2**40, 17], [-(2**62) - 5, 0, 9], [2**63 - 2, 1, 2]])
def test_category_index_finds_declared_ids_whatever_their_span(ids):
    annotations = [{"image_id": 1, "category_id": c, "bbox": box(0, 0, 2, 2)} for c in ids]
    gt = ground_truth(gt_doc(annotations, image_ids=[1], categories=ids))
    dets = detections(
        [
            {"image_id": 1, "category_id": c, "bbox": box(0, 0, 2, 2), "score": 0.5}
            for c in ids[::-1]
        ]
    )
    declared, det_k, gt_k = match_detections(gt, dets).category_index()
    assert declared.tolist() == sorted(ids)
    assert declared[det_k].tolist() == ids[::-1] and declared[gt_k].tolist() == ids


def test_present_categories_are_the_distinct_indices_in_order():
    rng = np.random.default_rng(5)
    det_k, gt_k = rng.integers(0, 40, 300), rng.integers(10, 60, 50)
    want = np.unique(np.r_[det_k, gt_k])
    assert np.array_equal(present_categories(64, det_k, gt_k), want)
    assert present_categories(3, np.zeros(0, dtype=np.int64)).size == 0
