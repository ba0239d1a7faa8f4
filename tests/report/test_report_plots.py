"""The report's figures: each returns a Figure drawn from the result's own numbers, in one colour
per model, readable with 80 classes, in English and Korean, deterministic, and refusing clearly
what it cannot draw (no ground truth, no training annotations)."""

import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.colors import to_hex
from rich.cells import cell_len

from pill_compare.analysis.compare import compare
from pill_compare.analysis.matching import FP, TP
from pill_compare.core import Detections
from pill_compare.io import ground_truth_from_dict, load_ground_truth, load_results
from pill_compare.report import report_plots as rp
from pill_compare.report.figures import figure_to_bytes
from pill_compare.report.style import ERROR_TYPE_COLORS, MODEL_COLORS
from tests.report.figure_checks import assert_laid_out_for_good

#: Plot tests fail on any warning (a missing glyph, a collapsed layout): it would reach the user.
pytestmark = pytest.mark.filterwarnings("error")


SAMPLE = "data/sample"
KOREAN = (
    "보령부스파정 5mg",
    "타이레놀정 500mg 필름코팅정",
    "아스피린프로텍트정 100mg",
    "리피토정 10mg",
)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def sample():
    gt = load_ground_truth(f"{SAMPLE}/ground_truth.json")
    a = load_results(f"{SAMPLE}/resnet101.json", gt=gt)
    b = load_results(f"{SAMPLE}/efficientnet_b3.json", gt=gt)
    train = load_ground_truth(f"{SAMPLE}/train_annotations.json")
    return compare(gt, a, b, train_gt=train, n_bootstrap=0)


@pytest.fixture(scope="module")
def korean80():
    return synthetic_korean()


@pytest.fixture(scope="module")
def without_gt():
    a = load_results(f"{SAMPLE}/resnet101.json")
    b = load_results(f"{SAMPLE}/efficientnet_b3.json")
    return compare(None, a, b)


def synthetic_korean(n_classes=80, n_images=120, seed=0):
    """80 Korean-named classes, 4 boxes an image on a grid; A and B find each with a per-class
    accuracy (B's = A's + noise), otherwise with a random class; 30 background boxes each;
    training support from 1 to 60 per class."""
    rng = np.random.default_rng(seed)
    names = {c: f"K-{c:06d} {KOREAN[c % len(KOREAN)]}" for c in range(1, n_classes + 1)}
    cells = [(x, y) for x in range(4) for y in range(3)]
    images, anns = [], []
    for i in range(1, n_images + 1):
        images.append({"id": i, "file_name": f"{i}.png", "width": 400, "height": 300})
        for j in rng.choice(len(cells), 4, replace=False):
            x, y = cells[j]
            c = int(rng.integers(1, n_classes + 1))
            box = [x * 100 + 10.0, y * 100 + 10.0, 60.0, 60.0]
            anns.append({"image_id": i, "category_id": c, "bbox": box, "area": 3600.0})
    for k, ann in enumerate(anns, start=1):
        ann.update(id=k, iscrowd=0)
    categories = [{"id": c, "name": n} for c, n in names.items()]
    gt = ground_truth_from_dict(
        {"images": images, "annotations": anns, "categories": categories}, source="gt.json"
    )
    acc_a = rng.uniform(0.5, 1.0, n_classes + 1)
    acc_b = np.clip(acc_a + rng.normal(0, 0.2, n_classes + 1), 0.1, 1.0)

    def run(accuracy, name, seed):
        r = np.random.default_rng(seed)
        rows = []
        for ann in anns:
            right = r.random() < accuracy[ann["category_id"]]
            c = ann["category_id"] if right else int(r.integers(1, n_classes + 1))
            box = np.array(ann["bbox"]) + r.normal(0, 3 if right else 10, 4) * [1, 1, 0.5, 0.5]
            rows.append((ann["image_id"], c, box, r.beta(8, 2) if right else r.beta(3, 3)))
        for _ in range(30):
            box = np.array([r.uniform(0, 300), r.uniform(0, 200), 40.0, 40.0])
            rows.append(
                (
                    int(r.integers(1, n_images + 1)),
                    int(r.integers(1, n_classes + 1)),
                    box,
                    r.beta(2, 5),
                )
            )
        image_id, category_id, bbox, score = zip(*rows, strict=True)
        return Detections(
            image_id=image_id,
            category_id=category_id,
            bbox=np.array(bbox),
            score=np.clip(score, 0.01, 0.999),
            name=name,
        )

    counts = rng.integers(1, 61, n_classes)
    train_anns = [
        {"id": k, "image_id": k, "category_id": c, "bbox": [1.0, 2.0, 30.0, 40.0], "area": 1200.0}
        for k, c in enumerate(np.repeat(np.arange(1, n_classes + 1), counts).tolist(), start=1)
    ]
    train_images = [{"id": t["id"], "file_name": f"t{t['id']}.png"} for t in train_anns]
    train = ground_truth_from_dict(
        {"images": train_images, "annotations": train_anns, "categories": categories},
        source="train.json",
    )
    return compare(
        gt,
        run(acc_a, "resnet101", 1),
        run(acc_b, "efficientnet_b3", 2),
        train_gt=train,
        n_bootstrap=0,
    )


def all_texts(fig):
    return [t.get_text() for t in fig.findobj(matplotlib.text.Text) if t.get_text()]


# --- every figure ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(rp.PLOTS))
def test_every_figure_renders_korean_names_900_px_wide_leaving_rcparams_alone(korean80, name):
    before = dict(plt.rcParams)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib's "Glyph ... missing from font(s)"
        fig = rp.PLOTS[name](korean80, lang="en")
        assert isinstance(fig, matplotlib.figure.Figure)
        png = figure_to_bytes(fig)
    assert dict(plt.rcParams) == before
    assert int(png[16:20].hex(), 16) == 900  # the PNG header's width: 7.5 in at 120 dpi


@pytest.mark.parametrize("name", list(rp.PLOTS))
def test_korean_figures_are_complete_and_deterministic(korean80, name):
    # What H13's catalogue passes: every key, in Korean (here without any {field}).
    labels = {key: f"한국어 {key}" for key in rp.LABELS[name]}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig = rp.PLOTS[name](korean80, lang="ko", labels=labels)
        png = figure_to_bytes(fig)
        assert figure_to_bytes(fig) == png  # saving again moves nothing
        assert figure_to_bytes(rp.PLOTS[name](korean80, lang="ko", labels=labels)) == png
    assert fig._suptitle.get_text() == "한국어 title"


@pytest.mark.parametrize("name", list(rp.PLOTS))
def test_a_figure_is_laid_out_for_good_and_saved_in_one_draw(korean80, name, monkeypatch):
    assert_laid_out_for_good(rp.PLOTS[name](korean80, lang="ko"), monkeypatch)


def test_available_plots_says_what_each_result_can_draw(sample, without_gt):
    assert rp.available_plots(sample) == tuple(rp.PLOTS)
    assert rp.available_plots(without_gt) == ("plot_score_histograms",)


@pytest.mark.parametrize(
    "name",
    [
        "plot_ap_comparison",
        "plot_pr_curves",
        "plot_error_breakdown",
        "plot_confusion_pair",
    ],
)
def test_figures_needing_ground_truth_refuse_a_result_without_one(without_gt, name):
    with pytest.raises(
        ValueError, match=rf"Expected a ComparisonResult with a ground truth for {name}"
    ):
        rp.PLOTS[name](without_gt)


def test_support_figure_refuses_a_result_without_training_annotations(without_gt):
    with pytest.raises(ValueError, match=r"with training support \(compare\(\.\.\., train_gt"):
        rp.plot_support_vs_ap(without_gt)


def test_a_result_that_is_not_a_comparison_is_a_type_error():
    with pytest.raises(TypeError, match=r"Expected a ComparisonResult \(from compare\), got dict"):
        rp.plot_score_histograms({})


def test_labels_replace_the_english_texts_and_unknown_keys_are_refused(sample):
    fig = rp.plot_error_breakdown(
        sample, lang="ko", labels={"title": "오류 유형별 분석", "type_cls": "분류"}
    )
    assert fig._suptitle.get_text() == "오류 유형별 분석"
    assert fig.axes[0].get_xticklabels()[0].get_text() == "분류"
    with pytest.raises(
        ValueError, match=r"Expected label keys of plot_error_breakdown among .*got \['titel'\]"
    ):
        rp.plot_error_breakdown(sample, labels={"titel": "x"})


def test_a_given_ax_is_drawn_on_and_its_figure_returned(sample):
    fig, ax = plt.subplots()
    assert rp.plot_ap_comparison(sample, ax=ax) is fig
    fig2, axes = plt.subplots(1, 2)
    assert rp.plot_confusion_pair(sample, axes=axes) is fig2
    with pytest.raises(ValueError, match=r"Expected 4 axes \(1 \+ worst\), got 2"):
        rp.plot_pr_curves(sample, axes=axes)


# --- per-class AP ---------------------------------------------------------------------------


def test_ap_comparison_draws_the_largest_gaps_sorted_and_notes_the_rest(korean80):
    fig = rp.plot_ap_comparison(korean80, max_classes=40)
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert len(labels) == 40
    assert all(cell_len(label) <= rp.LABEL_CHARS for label in labels)
    assert any(label.endswith("…") for label in labels)  # long Korean names are cut
    frame = korean80.per_class_frame().set_index("category_id")
    deltas = [frame.loc[int(label.split()[0]), "ap_delta"] for label in labels]
    assert deltas == sorted(deltas, reverse=True)  # B's largest gain at the top
    shown = min(abs(d) for d in deltas)
    hidden = frame["ap_delta"].abs().drop([int(label.split()[0]) for label in labels])
    assert hidden.max() <= shown
    n_hidden = hidden.notna().sum()  # one category has no GT box: no AP, not counted here
    note = f"not shown: {n_hidden} more categories with |B − A| ≤ {hidden.max():.3f}"
    assert any(note in t for t in all_texts(fig))
    assert any(
        "not shown, without GT boxes (no AP (IoU 0.50:0.95)): 1" in t for t in all_texts(fig)
    )


def test_ap_comparison_puts_each_run_in_its_colour_at_its_own_ap(sample):
    fig = rp.plot_ap_comparison(sample, metric="ap_50")
    a_points, b_points = fig.axes[0].collections[1:3]
    assert to_hex(a_points.get_facecolor()[0]).upper() == MODEL_COLORS["a"].upper()
    assert to_hex(b_points.get_facecolor()[0]).upper() == MODEL_COLORS["b"].upper()
    frame = sample.per_class_frame()
    expected = frame.dropna(subset=["ap_50_a", "ap_50_b"])
    assert sorted(a_points.get_offsets()[:, 0]) == sorted(expected["ap_50_a"])
    assert "not shown, without GT boxes (no AP50): 1" in all_texts(fig)


def test_ap_comparison_refuses_an_unknown_metric_and_no_rows(sample):
    with pytest.raises(ValueError, match="Expected metric 'ap' or 'ap_50', got 'map'"):
        rp.plot_ap_comparison(sample, metric="map")
    with pytest.raises(ValueError, match="Expected max_classes to be an integer >= 1, got 0"):
        rp.plot_ap_comparison(sample, max_classes=0)


# --- precision-recall -----------------------------------------------------------------------


def test_pr_curves_are_the_coco_arrays_overall_and_for_the_largest_ap50_gaps(korean80):
    fig = rp.plot_pr_curves(korean80, worst=3)
    panels = [ax for ax in fig.axes if ax.get_visible()]
    assert len(panels) == 4
    overall = panels[0].get_lines()
    # The mean over recall of the mean curve is map_50 (pycocotools' definition).
    for line, ev in zip(overall, (korean80.eval_a, korean80.eval_b), strict=True):
        assert np.mean(line.get_ydata()) == pytest.approx(ev.coco.stats["map_50"], abs=1e-12)
    frame = korean80.per_class_frame()
    gaps = frame.dropna(subset=["ap_50_delta"])
    gaps = gaps.iloc[np.lexsort((gaps["category_id"], -gaps["ap_50_delta"].abs()))]
    for ax, (_, row) in zip(panels[1:], gaps.head(3).iterrows(), strict=True):
        assert ax.get_title().startswith(f"{row['category_id']} ")
        a_line, b_line = ax.get_lines()
        assert np.mean(a_line.get_ydata()) == pytest.approx(row["ap_50_a"], abs=1e-12)
        assert np.mean(b_line.get_ydata()) == pytest.approx(row["ap_50_b"], abs=1e-12)
    assert {ax.get_xlim() for ax in panels} == {(0.0, 1.0)}
    assert len({ax.get_ylim() for ax in panels}) == 1


# --- score histograms -----------------------------------------------------------------------


def test_score_histograms_split_true_and_false_positives_on_shared_bins(sample):
    fig = rp.plot_score_histograms(sample, bins=10)
    left, right = fig.axes[:2]
    assert left.get_ylim() == right.get_ylim() and left.get_xlim() == right.get_xlim() == (0, 1)
    for ax, ev in zip((left, right), (sample.eval_a, sample.eval_b), strict=True):
        tp, fp = ax.containers
        status = ev.matches.det_status[0, ev.matches.threshold_index(0.5)]
        assert sum(p.get_height() for p in tp) == np.count_nonzero(status == TP)
        assert sum(p.get_height() for p in fp) == np.count_nonzero(status == FP)
        assert len(tp) == len(fp) == 10
    assert [p.get_x() for p in left.containers[0]] == [p.get_x() for p in right.containers[0]]


def test_score_histograms_without_ground_truth_count_every_detection(without_gt):
    fig = rp.plot_score_histograms(without_gt)
    (bars,) = fig.axes[0].containers
    assert sum(p.get_height() for p in bars) == len(without_gt.pairing.a)
    assert "detections" in [t.get_text() for t in fig.axes[0].get_legend().get_texts()]


# --- error breakdown ------------------------------------------------------------------------


def test_error_breakdown_bars_are_tides_delta_ap_with_counts_and_fixed_colours(sample):
    fig = rp.plot_error_breakdown(sample)
    ax = fig.axes[0]
    a_bars, b_bars = ax.containers
    expected_a, expected_b = sample.errors_a.to_dict(), sample.errors_b.to_dict()
    keys = ["cls", "loc", "both", "dupe", "bkg", "miss", "false_pos", "false_neg"]
    assert [p.get_height() for p in a_bars] == [expected_a[k]["delta_ap"] for k in keys]
    assert [p.get_height() for p in b_bars] == [expected_b[k]["delta_ap"] for k in keys]
    counts = [t.get_text() for t in ax.texts if t.get_text().isdigit()]
    assert counts == [str(expected_a[k]["count"]) for k in keys] + [
        str(expected_b[k]["count"]) for k in keys
    ]
    chips = [to_hex(t.get_bbox_patch().get_facecolor()).upper() for t in ax.get_xticklabels()]
    assert chips[:6] == [c.upper() for c in ERROR_TYPE_COLORS.values()]
    assert to_hex(a_bars[0].get_facecolor()).upper() == MODEL_COLORS["a"].upper()


# --- support vs AP --------------------------------------------------------------------------


def test_support_vs_ap_plots_each_class_and_quotes_spearman(sample):
    fig = rp.plot_support_vs_ap(sample)
    ax = fig.axes[0]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    rho = sample.support.ap_a.rho
    assert legend[0].startswith(f"resnet101: Spearman ρ = {rho:.2f} (p = ")
    assert legend[2] == "rare: fewer than 10"
    a_points = ax.collections[1]
    defined = [c for c in sample.support.classes if c.ap_a is not None]
    assert sorted(a_points.get_offsets()[:, 0]) == sorted(c.support for c in defined)
    assert ax.get_xscale() == "log"  # every drawn class has training annotations


# --- confusion matrices ---------------------------------------------------------------------


def test_confusion_pair_shares_one_colour_scale_and_keeps_the_most_confused(korean80):
    fig = rp.plot_confusion_pair(korean80, max_classes=12)
    left, right = fig.axes[:2]
    (image_a,), (image_b,) = left.get_images(), right.get_images()
    assert image_a.norm is image_b.norm
    assert len(fig.axes) == 3  # two panels, one colour bar
    labels = [t.get_text() for t in left.get_yticklabels()]
    assert len(labels) == 13 and labels[-1] == "background"
    assert [t.get_text() for t in left.get_xticklabels()][:-1] == [
        label.split()[0] for label in labels[:-1]
    ]
    hidden = (
        sum(
            1
            for c in np.union1d(
                korean80.eval_a.confusion.category_ids, korean80.eval_b.confusion.category_ids
            )
        )
        - 12
    )
    assert f"not shown, with fewer errors: {hidden}" in fig._supxlabel.get_text()
    # The cell values are the matrices' own counts.
    cm = korean80.eval_a.confusion
    first = int(labels[0].split()[0])
    k = int(np.flatnonzero(cm.category_ids == first)[0])
    assert image_a.get_array()[0, 0] == cm.matrix[k, k]


@pytest.fixture(scope="module")
def hostile_names():
    """The sample with control characters and a bidirectional override in every category name,
    a 240-character name for A and one of DELs for B."""
    import json

    with open(f"{SAMPLE}/ground_truth.json", encoding="utf-8") as f:
        data = json.load(f)
    for category in data["categories"]:
        category["name"] = "\x7f\x1b[31m" + category["name"] + "\u202e"
    gt = ground_truth_from_dict(data, source="gt.json")
    a = load_results(f"{SAMPLE}/resnet101.json", gt=gt, name="r" * 240)
    b = load_results(f"{SAMPLE}/efficientnet_b3.json", gt=gt, name="\x7fe" * 120)
    return compare(gt, a, b, train_gt=gt, n_bootstrap=0)


@pytest.mark.parametrize("name", list(rp.PLOTS))
def test_hostile_names_reach_no_figure_raw_and_long_names_are_cut(hostile_names, name):
    # the module's filterwarnings("error") turns "Glyph 127 missing" and "constrained_layout
    # not applied" into failures; every text is cleaned (\x7f shown as text) and cut
    fig = rp.PLOTS[name](hostile_names, lang="en")
    figure_to_bytes(fig)
    texts = all_texts(fig)
    assert not [t for t in texts if any(c in t for c in "\x7f\x1b\u202e")]
    assert not [t for t in texts if "r" * 41 in t]
    assert any("\\x7f" in t for t in texts)
