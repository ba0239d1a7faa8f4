"""English words of the reports: ``TEXTS``, every heading, label, table header, sentence,
glossary entry and note, keyed by code (the codes analyses emit: a verdict ``'b_better'``, a
finding ``'no_evidence'``, a metric ``'map_50'``).

The definitions of ``eval``'s numbers are the analysis modules' own (imported, so they are
written once); :mod:`pill_compare.report.messages.ko` has the same keys in Korean. The sentence
logic lives once in :class:`pill_compare.report.messages.Catalogue`.
"""

from __future__ import annotations

from pill_compare.analysis.accuracy import DEFINITIONS as _ACCURACY_DEFINITIONS
from pill_compare.analysis.coco_metrics import SUMMARY_LEGEND as _SUMMARY_LEGEND
from pill_compare.analysis.confusion import CONVENTION as _CONVENTION
from pill_compare.analysis.operating_point import DEFINITIONS as _OP_DEFINITIONS

#: The renderers' own words: English is their default
#: (:data:`pill_compare.report.render.common.DEFAULT_WORDS`), so nothing overrides them here.
RENDER_WORDS: dict[str, str] = {}

#: Every text of the reports, by key. Placeholders are :meth:`str.format` fields; the Korean
#: catalogue has the same keys with the same fields (tests/report/test_messages.py).
TEXTS: dict[str, str] = {
    # --- sentences made from analysis codes (Catalogue's methods) -------------------------
    "metric_name.map": "mAP",
    "metric_name.map_50": "AP50",
    "metric_name.f1": "F1 at the operating point",
    "finding.support.support_explains": "rises with training support",
    "finding.support.inverse": "falls as training support grows",
    "finding.support.no_evidence": "shows no evidence of following training support",
    "finding.support.not_computable": "cannot be related to training support",
    "finding.dispute.disputes_on_rare": "The models disagree most on rare classes",
    "finding.dispute.disputes_on_frequent": "The models disagree most on frequent classes, not "
    "rare ones",
    "finding.dispute.no_evidence": "No evidence that disagreements concentrate on rare or on "
    "frequent classes",
    "finding.dispute.not_computable": "Where the models disagree cannot be related to training "
    "support",
    "finding.gap.gap_larger_on_rare": "The AP gap between the models (B − A) is larger on rare "
    "classes",
    "finding.gap.gap_larger_on_frequent": "The AP gap between the models (B − A) is larger on "
    "frequent classes",
    "finding.gap.no_evidence": "No evidence that the AP gap between the models (B − A) follows "
    "training support",
    "finding.gap.not_computable": "The AP gap between the models cannot be related to training "
    "support",
    "sentence.correlation": "{text} ({facts}){power}.",
    "sentence.correlation_reason": "{text} ({reason}).",
    "sentence.plain": "{text}.",
    "sentence.dispute.rate": " (disagreements per GT box vs training support: {facts})",
    "sentence.dispute.top": "; {rare} of the {top} most disputed classes are rare",
    "sentence.dispute.share": " (rare classes are {share:.0%} of all)",
    "sentence.significance.ci": "{level:.0%} CI [{low}, {high}]",
    "sentence.significance.facts": "({ci}, {p}, {n} images)",
    "sentence.significance.undefined": "The {metric} difference is undefined on this data.",
    "sentence.significance.better": "{better} is better than {worse} on {metric} by {delta} "
    "{facts}.",
    "sentence.significance.not_significant": "No evidence at {alpha:.0%} of a {metric} "
    "difference between {b} and {a}: {delta:+.3f} ({ci}, {p}, {n} images); any difference in "
    "that interval fits the data.",
    "sentence.no_bootstrap": "No bootstrap was run (0 resamples), so significance was not tested.",
    "sentence.no_ground_truth": "Without a ground truth this is agreement between the two runs, "
    "not accuracy: a ground truth adds which run is better, whether it is significant, who was "
    "right on every disagreement and each run's error types.",
    "sentence.mcnemar": "Per GT object (score >= {score:g}, IoU >= {iou:g}): {a_only} found only "
    "by {a}, {b_only} only by {b} (McNemar exact {p}; {both} by both, {neither} by neither).",
    "sentence.support.model": "for {name} AP {what} ({facts})",
    "sentence.support.model_reason": "for {name} AP {what} ({reason})",
    "sentence.support.join": "; ",
    "sentence.support": "Training support vs per-class AP: {parts}{power}.",
    # --- report, metadata -------------------------------------------------------------------
    "report.title": "{a} vs {b}: false-detection comparison",
    "report.subtitle": "Which model is better, where they disagree, who was right, and why",
    "report.contents": "Contents",
    "meta.version": "pillcmp version",
    "meta.date": "Date",
    "meta.input.a": "Result A",
    "meta.input.b": "Result B",
    "meta.input.gt": "Ground truth",
    "meta.input.train": "Training annotations",
    "meta.input.images": "Images",
    "yes": "yes",
    "p.none": "p n/a",
    "p.small": "p < 0.001",
    "p.value": "p = {p:.3f}",
    "compare.title": "Comparison: {a} vs {b}",
    "header.runs": "A = {a} ({la} detections), B = {b} ({lb} detections)",
    "header.gt": "against {gt}: {images} images, {boxes} GT boxes; operating point score >= "
    "{score:g}, IoU >= {iou:g}; pairing IoU {pair_iou:g}; bootstrap {n} resamples, "
    "random seed {seed}",
    "header.no_gt": "no ground truth; boxes with score >= {score:g} paired at IoU {pair_iou:g}",
    # --- diagnosis: what is wrong with the inputs (pill_compare.analysis.diagnosis) ---------
    "s.diagnosis": "Input check",
    "diagnosis.severity.blocking": "blocking",
    "diagnosis.severity.warning": "warning",
    "diagnosis.severity.info": "info",
    "diagnosis.repaired": "repaired",
    "diagnosis.clean": "The input check found no problem ({checks} checks: {names}).",
    "diagnosis.banner": "Do not trust the numbers below yet: {n} blocking problem(s) in the "
    "inputs. Every number is computed on the files as given; fix them and run again.",
    "diagnosis.banner.doctor": "{n} blocking problem(s): an evaluation or a comparison of "
    "these files as given would be meaningless until they are fixed.",
    "diagnosis.intro": "Each input is checked before anything is compared: the id space of the "
    "categories, the box format, repeated rows, the ground truth's images. A blocking finding "
    "makes the comparison meaningless until it is fixed.",
    "diagnosis.fix_label": "Fix",
    "diagnosis.applied_map": "{file}: category ids rewritten by {origin} ({n} ids, e.g. {examples})"
    "{inferred}.",
    "diagnosis.applied_map.inferred": "; inferred from {gt}, the ground truth it is then scored "
    "against: a map read from the answers can flatter a file, so review it (pillcmp doctor "
    "--write-map) before trusting the numbers",
    "diagnosis.applied_map.offset": "{file}: every category id shifted by {offset:+g} by "
    "{origin}{inferred}.",
    "diagnosis.applied_map.origin.auto": "--category-map auto",
    "diagnosis.applied_map.origin.offset": "--category-map offset",
    "diagnosis.applied_map.origin.file": "the category map {source}",
    "diagnosis.col.severity": "severity",
    "diagnosis.col.finding": "finding",
    "diagnosis.col.file": "file",
    "diagnosis.col.count": "rows / boxes",
    "diagnosis.col.fix": "fix",
    "diagnosis.summary.blocked": "No better model is named: {n} blocking problem(s) in the "
    "inputs ({codes}). First: {first}",
    "diagnosis.likely_missing_annotations.title": "The ground truth likely misses objects",
    "diagnosis.likely_missing_annotations.text": "{file}: both models agree, confidently and on "
    "the same class, on {count} boxes where it has no box of any class nearby ({share_pct} of its "
    "{gt_boxes} boxes): each counts as a false positive of both. Ignoring them, mAP would be "
    "{map_a_completed_3} for {name_a} (as scored {map_a_3}) and {map_b_completed_3} for {name_b} "
    "({map_b_3}): an estimate, not the real numbers.",
    "diagnosis.likely_wrong_labels.title": "The ground truth may carry wrong labels",
    "diagnosis.likely_wrong_labels.text": "{file}: on {count} of its boxes both models confidently "
    "say the same other class: either the label is wrong or both models make the same mistake "
    "(look-alike pills).",
    "diagnosis.fix.review_annotations": "Check these cases by eye (pillcmp report lists them in its "
    "ground-truth audit); complete or correct the annotations before reading precision and false "
    "positives.",
    "diagnosis.gt_mismatch.title": "Results and ground truth are of different images",
    "diagnosis.gt_mismatch.text": "{file}: only {on_gt_images} of {detections} detections "
    "({share_on_gt_pct}) are on images of the ground truth {gt} (its image ids "
    "{gt_image_range_text}; the results' {run_image_range_text}); the rest can match nothing.",
    "diagnosis.gt_mismatch.text.boxes": "{file}: its images are the ground truth's, but only "
    "{share_pct} of its boxes overlap a ground-truth box of their image at IoU >= 0.5 under any "
    "box format: these boxes belong to other images, or the ground truth is another one.",
    "diagnosis.fix.check_gt": "Pass the ground truth of the images the results were made on "
    "(the test split's annotations, not the training annotations).",
    "diagnosis.identical_inputs.title": "A and B are the same detections",
    "diagnosis.identical_inputs.text": "{file_a} and {file_b} hold exactly the same {detections} "
    "detections: every difference between them is zero by construction.",
    "diagnosis.fix.different_runs": "Pass the two runs you mean to compare.",
    "diagnosis.image_sets_differ.title": "The runs cover different images",
    "diagnosis.image_sets_differ.text": "{count} of {images} images ({share_pct}) have "
    "detections in only one run ({only_a} only in {file_a}, {only_b} only in {file_b}).",
    "diagnosis.fix.same_images": "Run both models on the same images; a crashed or partial run "
    "counts every missing image as missed.",
    "diagnosis.box_format_xyxy.title": "Boxes are [x1, y1, x2, y2], not [x, y, w, h]",
    "diagnosis.box_format_cxcywh.title": "Boxes are centre + size, not [x, y, w, h]",
    "diagnosis.box_format_normalized.title": "Boxes are normalized to 0–1, not pixels",
    "diagnosis.box_format.text": "{file}: read as {reading_text}, {share_pct} of its boxes "
    "overlap a box of {against_text} at IoU >= 0.5; as given ([x, y, w, h] in pixels), "
    "{share_as_given_pct}.",
    "diagnosis.box_format.text.heuristic": "{file}: {sign_text}; with no ground truth or other "
    "run to compare with, this is a sign, not a proof.",
    "diagnosis.box_format.sign.range": "every coordinate is between 0 and 1: the boxes look "
    "normalized to the image size",
    "diagnosis.box_format.sign.corners": "every box has w > x and h > y: the boxes look like "
    "[x1, y1, x2, y2]",
    "diagnosis.box_format.against.gt": "the ground truth",
    "diagnosis.box_format.against.run": "the other run ({other})",
    "diagnosis.reading.xywh": "[x, y, w, h] in pixels",
    "diagnosis.reading.xyxy": "[x1, y1, x2, y2] in pixels",
    "diagnosis.reading.cxcywh": "[centre x, centre y, w, h] in pixels",
    "diagnosis.reading.xywh_normalized": "[x, y, w, h] as fractions of the image size",
    "diagnosis.reading.xyxy_normalized": "[x1, y1, x2, y2] as fractions of the image size",
    "diagnosis.reading.cxcywh_normalized": "[centre x, centre y, w, h] as fractions of the "
    "image size (YOLO)",
    "diagnosis.fix.convert_boxes": "Write COCO boxes [x, y, w, h] in pixels: the file is "
    "{reading_text}.",
    "diagnosis.degenerate_boxes.title": "Boxes of zero width or height",
    "diagnosis.degenerate_boxes.text": "{file}: {count} of {detections} detections have w = 0 "
    "or h = 0 (highest score {max_score_3}); they are scored as pycocotools scores them: they "
    "match nothing, so each is a false positive.",
    "diagnosis.fix.drop_degenerate": "Drop or clip them before writing (an edge box clipped to "
    "nothing); --strict refuses such a file.",
    "diagnosis.duplicate_detections.title": "Repeated detections",
    "diagnosis.duplicate_detections.text": "{file}: {count} of {detections} detections "
    "({share_pct}) repeat another: {exact} exact copies (up to {most_per_image} in one image) "
    "and {near} near copies (same image and class, IoU >= {near_iou}).",
    "diagnosis.duplicate_detections.text.map": "{file}: {count} of {detections} detections "
    "({share_pct}) repeat another: {exact} exact copies (up to {most_per_image} in one image) "
    "and {near} near copies (same image and class, IoU >= {near_iou}); each copy is a false "
    "positive: mAP {map_before_3} as given, {map_after_3} without them.",
    "diagnosis.fix.deduplicate": "Write each detection once (drop exact repeats; apply NMS "
    "within each class).",
    # --- section titles ---------------------------------------------------------------------
    "s.overview": "Overview",
    "s.overview.summary": "Summary",
    "s.overview.inputs": "Models and inputs",
    "s.overview.parameters": "Parameters",
    "s.overall": "Overall comparison",
    "s.detections": "Detection statistics",
    "s.detections.per_image": "Per image",
    "s.disagreements": "Disagreements",
    "s.disagreements.images": "Images where the category lists differ",
    "s.disagreements.categories": "Categories found by one model only",
    "s.disagreements.pairs": "Box by box",
    "s.patterns": "Class-swap patterns",
    "s.patterns_top": "{title} ({caption})",
    "s.disagreements.boxes": "Every disputed box",
    "s.disagreements.gallery": "Gallery",
    "s.per_class": "Per class",
    "s.report.per_class": "Per class: AP, false positives and false negatives",
    "s.per_class.worst": "Worst classes",
    "s.per_class.confusions": "Most frequent confusions",
    "s.errors": "Error types (TIDE)",
    "s.causes": "Cause analysis",
    "s.causes.imbalance": "Class imbalance of the training set",
    "s.causes.support": "Training support vs AP",
    "s.causes.evidence": "What the evidence supports",
    "s.glossary": "Glossary",
    "s.glossary.methods": "Methods",
    "s.findings": "Findings",
    "s.metrics": "Metrics",
    "s.class_agreement": "Agreement per class",
    "s.definitions": "Definitions",
    "caveats.title": "Caveats",
    "caveats.none": "No warning was raised while loading or evaluating.",
    "caveats.tools": "Definitions that differ between tools (the numbers here follow pycocotools):",
    # --- absent parts -----------------------------------------------------------------------
    "absent.errors": "Needs a ground truth: it would add TIDE's error types (Cls, Loc, Both, "
    "Dupe, Bkg, Miss) of each model and how much AP fixing each would gain.",
    "absent.imbalance": "Needs the training annotations: they would add the imbalance indices of "
    "the training set (max / min annotations per class and the better indices).",
    "absent.support": "Needs the training annotations: they would relate each class's training "
    "support to its AP (Spearman's rho) and test whether the gap is larger on rare classes.",
    "gallery_note.missing": "Image {image_id}{file}: not found in the images folder, so it is not in the gallery.",
    "gallery_note.outside": "Image {image_id}{file}: its file name leads outside the images folder; refused, nothing was read.",
    "gallery_note.not_a_file": "Image {image_id}{file}: not a regular file; left out of the gallery.",
    "gallery_note.invalid": "Image {image_id}{file}: the file name cannot be used (a NUL byte or a symlink loop); left out.",
    "gallery_note.unreadable": "Image {image_id}{file}: the file could not be decoded as an image; left out.",
    "gallery_note.size_mismatch": "Image {image_id}{file}: its aspect ratio differs from the ground truth's width and height, so the drawn boxes may not line up.",
    "absent.gallery": "The images folder would add a picture of every differing image with both "
    "models' boxes (and the ground truth's).",
    # --- overview ---------------------------------------------------------------------------
    "overview.role.a": "Result A",
    "overview.role.b": "Result B",
    "overview.role.gt": "Ground truth",
    "overview.role.train": "Training annotations",
    "overview.inputs.caption": "Count: detections loaded (A, B), non-crowd GT boxes, training "
    "annotations.",
    "param.score_threshold": "score threshold s",
    "param.score_threshold.text": "detections with score >= s count at the operating point",
    "param.iou_threshold": "IoU threshold u",
    "param.iou_threshold.text": "a detection is right when it matches a GT box of its class at "
    "IoU >= u",
    "param.pair_iou": "pairing IoU",
    "param.pair_iou.text": "an A box and a B box at IoU >= this are the same object",
    "param.iou_thresholds": "COCO IoU thresholds",
    "param.iou_thresholds.text": "the thresholds mAP averages over",
    "param.max_dets": "maxDets",
    "param.max_dets.text": "COCO caps on detections per image and category",
    "param.n_bootstrap": "bootstrap resamples",
    "param.n_bootstrap.text": "image resamples of the paired bootstrap (0: not tested)",
    "param.seed": "random seed",
    "param.seed.text": "the bootstrap's random seed (the same value gives the same numbers)",
    "param.alpha": "alpha",
    "param.alpha.text": "significance level of every test",
    "param.rare_threshold": "rare threshold",
    "param.rare_threshold.text": "a class with fewer training annotations is rare",
    "summary.top_pattern": "The most frequent disagreement: where {a} says {x}, {b} says {y}, on "
    "{swaps} boxes on {images} images (on {only} of them nothing else differs); by the ground "
    "truth {b} was right {b_right} times, {a} {a_right}, both wrong {both_wrong}, no object there "
    "{no_gt}.",
    "summary.no_swaps": "The models never give the same box different classes; they differ on "
    "{a_only} boxes only {a} found and {b_only} only {b} found.",
    "summary.top_substitution": "The most frequent substitution: {a} has {x} where {b} has {y} "
    "on {images} images; without a ground truth, who was right is unknown.",
    "summary.no_substitution": "{n} images differ between {a} and {b}, with no single-for-single "
    "substitution.",
    "summary.imbalance.gap_larger_on_rare": "Class imbalance explains part of the gap: {b}'s "
    "advantage over {a} is larger on rarely trained classes ({facts}; training max / min "
    "ratio {ratio}).",
    "summary.imbalance.gap_larger_on_frequent": "The gap is not on rarely trained classes: "
    "{b}'s advantage over {a} is larger on frequent classes ({facts}; training max / min ratio "
    "{ratio}).",
    "summary.imbalance.no_evidence": "No evidence that class imbalance explains the gap: the "
    "per-class AP difference shows no trend with training support ({facts}; training max / min "
    "ratio {ratio}){power}.",
    "summary.imbalance.not_computable": "Whether class imbalance explains the gap cannot be "
    "computed ({facts}).",
    "summary.imbalance.untested": "Class imbalance was not tested: the training annotations "
    "would relate each class's training support to its AP.",
    "support.reason.too_few_classes": "fewer than 3 classes with a value",
    "support.reason.constant_input": "one side is constant",
    # --- overall ----------------------------------------------------------------------------
    "metric.map": "mAP",
    "metric.map_75_95": "mAP@[0.75:0.95]",
    "metric.map_50": "AP50",
    "metric.map_75": "AP75",
    "metric.mar_100": "AR100",
    "metric.precision": "precision",
    "metric.recall": "recall",
    "metric.f1": "F1",
    "metric.classification_accuracy": "classification accuracy",
    "metric.image_exact_match": "image exact match",
    "def.map_75_95": "the pill competition's metric: AP averaged over IoU 0.75:0.95 step 0.05 (5 "
    "thresholds), all sizes, top 100 (equal to an evaluation with those thresholds)",
    "note.map_75_95_missing": "mAP@[0.75:0.95] is n/a: the evaluation's IoU thresholds do not "
    "include 0.75, 0.80, 0.85, 0.90 and 0.95; evaluate with the default thresholds (0.50:0.95) or "
    "with 0.75:0.95 step 0.05 to get it.",
    "note.p_floor": "With {n} bootstrap resamples the smallest possible p is 2 / ({n} + 1); more "
    "resamples resolve smaller p-values.",
    "col.metric": "metric",
    "col.value": "value",
    "col.delta": "B − A",
    "col.ci": "CI",
    "col.ci_level": "{level:.0%} CI",
    # --- detections -------------------------------------------------------------------------
    "detections.loaded": "Result {side} ({name}) loaded: {n} detections",
    "detections.images": "Images with detections in both results: {both} (of {total} counted)",
    "detections.images_only": "Images with detections only in {name}: {n} {ids}",
    "col.model": "model",
    "col.loaded": "loaded",
    "col.left_out": "left out (ids the GT lacks)",
    "col.at_operating_point": "boxes with score >= {score:g}",
    "per_image.caption": "Paired boxes on each image where the models differ.",
    # --- disagreements ----------------------------------------------------------------------
    "disagreements.intro": "Where {a} and {b} differ: first the category lists per image (as a "
    "hand-written comparison of the two files reads them), then box by box.",
    "disagreements.images.text": "{n} of {total} images have different category lists "
    "(categories compared as sets per image).",
    "disagreements.only_caption": "Categories detected only by {name}, in how many differing "
    "images.",
    "pairs.counts": "Boxes paired across the runs: {agree} agree, {class_swap} class swaps, "
    "{a_only} only in {a}, {b_only} only in {b}",
    "pairs.verdicts": "Class swaps, by ground truth: {a} right {a_right}, {b} right {b_right}, "
    "both wrong {both_wrong}, no object there {no_gt}{extra}",
    "pairs.both_right": ", both right {n}",
    "pairs.ignored": ", crowd region {n}",
    "pairs.one_sided": "Boxes only {name} found: {boxes}: right {right}, wrong {wrong}{errors}"
    "{ignored}",
    "pairs.errors": " ({errors})",
    "pairs.agreement": "Agreement (not accuracy): {rate} of the paired items agree; Cohen's kappa "
    "on the classes of paired boxes {kappa}",
    "patterns.caption": "top {shown} of {n}; X in A where B says Y on the same box",
    "patterns.caption_full": "{n} patterns; X in A where B says Y on the same box.",
    "patterns.none": "No box was given two different classes by the two models.",
    "boxes.caption": "{n:,} disputed boxes: class swaps and boxes only one model found.",
    "kind.class_swap": "class swap",
    "kind.a_only": "only {a}",
    "kind.b_only": "only {b}",
    "kind.agree": "agree",
    "status.TP": "right",
    "status.FP": "wrong",
    "status.ignored": "crowd region",
    "verdict.a_right": "{a} right",
    "verdict.b_right": "{b} right",
    "verdict.both_wrong": "both wrong",
    "verdict.no_gt": "no object there",
    "verdict.both_right": "both right",
    "verdict.ignored": "crowd region",
    "class_agreement.caption": "Agreement per class, lowest first.",
    "col.a_says": "A says (X)",
    "col.b_says": "B says (Y)",
    "col.swaps": "swaps",
    "col.a_right": "A right",
    "col.b_right": "B right",
    "col.both_wrong": "both wrong",
    "col.no_gt": "no GT",
    "col.images": "images",
    "col.only_in": "only {name}",
    "col.model_category": "{name} class",
    "col.model_score": "{name} score",
    "col.verdict": "verdict",
    "col.a_boxes": "A boxes",
    "col.b_boxes": "B boxes",
    "col.agree": "agree",
    "col.one_sided": "one-sided",
    "col.rate": "rate",
    # --- per class --------------------------------------------------------------------------
    "per_class.caption": "Largest |ΔAP| first ({n} classes).",
    "per_class.fp_fn_caption": "False positives and false negatives per class at the operating "
    "point ({at}).",
    "per_class.worst_caption": "The {n} classes with the lowest AP, per model.",
    "confusions.caption": "{name}: GT class → predicted class, top {n}.",
    "confusions.note": "Convention: {convention}.",
    "confusions.none": "{name} confuses no class with another at the operating point.",
    "col.category": "category",
    "col.model_ap": "AP {name}",
    "col.model_stat": "{stat} {name}",
    "col.model_class": "{name} class",
    "col.delta_recall": "Δrecall",
    # --- errors -----------------------------------------------------------------------------
    "errors.intro": "Every false positive gets one TIDE type and every missed GT box not explained "
    "by one is a miss; ΔAP50 is how much AP50 would rise if every error of the type were fixed.",
    "errors.caption": "TIDE; ΔAP50 = gain in AP50 from fixing every error of the type.",
    "col.error_type": "error type",
    "col.model_count": "{name} count",
    "col.model_dap": "{name} ΔAP50",
    "error.cls": "Cls",
    "error.loc": "Loc",
    "error.both": "Both",
    "error.dupe": "Dupe",
    "error.bkg": "Bkg",
    "error.miss": "Miss",
    "error.false_pos": "FalsePos",
    "error.false_neg": "FalseNeg",
    "error.cls.definition": "classification: well placed (IoU >= 0.5) on a GT box of another class",
    "error.loc.definition": "localization: the right class, poorly placed (0.1 <= IoU <= 0.5)",
    "error.both.definition": "the wrong class and poorly placed",
    "error.dupe.definition": "duplicate: well placed on a GT box a higher-scoring detection "
    "already took",
    "error.bkg.definition": "background: on no object (IoU < 0.1 with every GT box)",
    "error.miss.definition": "a GT box no detection found or explains",
    "error.false_pos.definition": "every false positive (ΔAP: all of them removed; not clipped)",
    "error.false_neg.definition": "every GT box not found (ΔAP: all of them removed; not clipped)",
    # --- causes -----------------------------------------------------------------------------
    "causes.intro": "What the data can say about why the models differ: how much of the gap is "
    "localization (boxes placed less precisely), whether class imbalance in training explains "
    "it, and what is only a claim.",
    "index.imbalance_ratio": "imbalance ratio",
    "index.gini": "Gini coefficient",
    "index.pielou_evenness": "Pielou evenness",
    "index.effective_classes": "effective classes",
    "index.coefficient_of_variation": "coefficient of variation",
    "index.rare_share": "rare share",
    "index.imbalance_ratio.definition": "max / min annotations per class (1 = balanced)",
    "index.gini.definition": "Gini coefficient of class counts (0 = balanced, toward 1 = one "
    "class dominates)",
    "index.pielou_evenness.definition": "Shannon entropy / ln(K) (1 = balanced)",
    "index.effective_classes.definition": "exp(Shannon entropy): how many equally frequent "
    "classes it equals",
    "index.coefficient_of_variation.definition": "std / mean of class counts, population std "
    "(0 = balanced)",
    "index.rare_share.definition": "share of classes with fewer than {rare} annotations",
    "imbalance.ratio_sentence": "Imbalance ratio = max / min annotations per class = {most} "
    "({most_label}) / {least} ({least_label}) = {ratio:.2f}.",
    "imbalance.caption": "Training annotations: {source} ({n} annotations).",
    "imbalance.zero": "Declared categories without a training annotation, left out of every "
    "index ({n}): {ids}",
    "col.index": "index",
    "col.definition": "definition",
    "support.not_tested": "Imbalance vs AP: not tested (give the training annotations to test it).",
    "support.training_ratio": "Training imbalance ratio (max / min annotations per class): "
    "{ratio:.2f}.",
    "support.caption": "Per class, fewest training annotations first; rare = fewer than {rare}.",
    "support.legend.support": "annotations of the class in the training annotations",
    "support.legend.disputes": "class swaps with the class on either side plus its one-sided "
    "boxes; rate = per GT box of the class",
    "support.legend.spearman": "rank correlation of support with a metric over the classes "
    "where it is defined (scipy; two-sided p)",
    "support.unsupported": "Classes with GT but no training annotation (support 0): {ids}",
    "col.support": "support",
    "col.rare": "rare",
    "col.disputes": "disputes",
    "col.dispute_rate": "dispute rate",
    "evidence.supported": "Supported by these files:",
    "evidence.unsupported": "Not supported by these files:",
    "evidence.swaps": "Of the {n} class swaps, the ground truth sides with {b} on {b_right}, with "
    "{a} on {a_right}; both are wrong on {both_wrong} and {no_gt} are on no object.",
    "evidence.accuracy": "Classification accuracy (right class given a found box): {a} {acc_a}, "
    "{b} {acc_b}; image exact match: {a} {exact_a}, {b} {exact_b}.",
    "evidence.architecture": "Architecture explanations (ResNet-101's 101 layers and residual "
    'connections, EfficientNet\'s compound scaling "compressing" features) are not evidence: '
    "these files hold detections, not networks. Testing them needs controlled experiments: the "
    "same data and training, one change at a time.",
    "evidence.accuracy_undefined": 'A single "accuracy" (such as 97% vs 88%) without a '
    "definition: this report gives two defined accuracies instead.",
    "evidence.imbalance_not_cause": "That class imbalance causes the gap: no test here shows the "
    "per-class AP difference growing as training support falls (with few classes only strong "
    "trends can be seen, so this is no evidence either way, not evidence of no effect).",
    "evidence.imbalance_untested": "Anything about class imbalance: the training annotations are "
    "needed to test it.",
    "evidence.domain": "Why the confused classes are confused (faint imprints, similar shapes and "
    "colours, fine-grained similarity): plausible, but the confusion tables show which classes "
    "are confused, not why.",
    # --- glossary ---------------------------------------------------------------------------
    "col.term": "term",
    "col.english": "English",
    "col.description": "description",
    "glossary.object_detection.term": "object detection",
    "glossary.object_detection.english": "Object Detection",
    "glossary.object_detection.text": "finding each object in an image: a box and a class",
    "glossary.false_detection.term": "false detection",
    "glossary.false_detection.english": "False Detection",
    "glossary.false_detection.text": "a prediction that does not match the ground truth: a false "
    "positive, or a GT object missed",
    "glossary.tp.term": "true positive (TP)",
    "glossary.tp.english": "True Positive",
    "glossary.tp.text": "a detection matched to a GT box of its class at IoU >= u",
    "glossary.fp.term": "false positive (FP)",
    "glossary.fp.english": "False Positive",
    "glossary.fp.text": "a detection that matched no GT box: a wrong class, a poor box, a "
    "duplicate or background",
    "glossary.fn.term": "false negative (FN)",
    "glossary.fn.english": "False Negative",
    "glossary.fn.text": "a GT box no detection matched: a missed object",
    "glossary.iou.term": "IoU",
    "glossary.iou.english": "Intersection over Union",
    "glossary.iou.text": "area of overlap / area of union of two boxes (pycocotools' bbox IoU)",
    "glossary.precision.term": "precision",
    "glossary.precision.english": "Precision",
    "glossary.precision.text": "TP / (TP + FP): the share of detections that are right",
    "glossary.recall.term": "recall",
    "glossary.recall.english": "Recall",
    "glossary.recall.text": "TP / (TP + FN): the share of GT objects found",
    "glossary.f1.term": "F1",
    "glossary.f1.english": "F1 score",
    "glossary.f1.text": "2 TP / (2 TP + FP + FN): the harmonic mean of precision and recall",
    "glossary.ap.term": "AP",
    "glossary.ap.english": "Average Precision",
    "glossary.ap.text": "precision averaged over 101 recall points (COCO), per class",
    "glossary.map.term": "mAP",
    "glossary.map.english": "mean Average Precision",
    "glossary.map.text": "AP averaged over the classes with GT and over IoU 0.50:0.95 (COCO)",
    "glossary.map_75_95.term": "mAP@[0.75:0.95]",
    "glossary.map_75_95.english": "mAP at IoU 0.75 to 0.95",
    "glossary.map_75_95.text": "the pill competition's metric: mAP over IoU 0.75, 0.80, 0.85, "
    "0.90, 0.95",
    "glossary.classification_accuracy.term": "classification accuracy",
    "glossary.classification_accuracy.english": "Classification Accuracy",
    "glossary.classification_accuracy.text": "among detections matched to a GT box of any class, "
    "the share with the GT's class",
    "glossary.image_exact_match.term": "image exact match",
    "glossary.image_exact_match.english": "Image Exact Match",
    "glossary.image_exact_match.text": "the share of images whose predicted classes equal the GT's "
    "classes exactly",
    "glossary.operating_point.term": "operating point",
    "glossary.operating_point.english": "Operating Point",
    "glossary.operating_point.text": "the score threshold s and IoU threshold u at which boxes "
    "are counted",
    "glossary.class_swap.term": "class swap",
    "glossary.class_swap.english": "Class Swap",
    "glossary.class_swap.text": "the same box (IoU >= the pairing IoU) given different classes by "
    "the two models",
    "glossary.one_sided.term": "one-sided box",
    "glossary.one_sided.english": "One-sided Box",
    "glossary.one_sided.text": "a box one model found and the other did not",
    "glossary.verdict.term": "verdict",
    "glossary.verdict.english": "Verdict",
    "glossary.verdict.text": "who was right on a disputed box, by the ground truth",
    "glossary.tide.term": "TIDE error types",
    "glossary.tide.english": "TIDE Error Types",
    "glossary.tide.text": "Cls, Loc, Both, Dupe, Bkg, Miss (Bolya et al., 2020): what kind of "
    "mistake each false positive or miss is",
    "glossary.bootstrap.term": "paired bootstrap",
    "glossary.bootstrap.english": "Paired Bootstrap",
    "glossary.bootstrap.text": "images resampled with replacement, the same resample for both "
    "models, to see how much a difference varies",
    "glossary.ci.term": "confidence interval",
    "glossary.ci.english": "Confidence Interval",
    "glossary.ci.text": "the range the difference falls in for 95% of the resamples",
    "glossary.p_value.term": "p-value",
    "glossary.p_value.english": "p-value",
    "glossary.p_value.text": "how often a difference this large would appear if the models were "
    "equally good",
    "glossary.mcnemar.term": "McNemar test",
    "glossary.mcnemar.english": "McNemar's Test",
    "glossary.mcnemar.text": "an exact test on the GT objects only one of the two models got right",
    "glossary.support.term": "support",
    "glossary.support.english": "Support",
    "glossary.support.text": "how many annotations a class has (in training, or in the GT)",
    "glossary.imbalance_ratio.term": "imbalance ratio",
    "glossary.imbalance_ratio.english": "Imbalance Ratio",
    "glossary.imbalance_ratio.text": "max / min annotations per class",
    "glossary.spearman.term": "Spearman's rho",
    "glossary.spearman.english": "Spearman's Rank Correlation",
    "glossary.spearman.text": "correlation of the ranks of two quantities (-1 to 1)",
    "glossary.agreement.term": "agreement",
    "glossary.agreement.english": "Agreement",
    "glossary.agreement.text": "how often the two models give the same answer; not accuracy",
    "glossary.kappa.term": "Cohen's kappa",
    "glossary.kappa.english": "Cohen's Kappa",
    "glossary.kappa.text": "agreement corrected for chance (1 = perfect, 0 = chance)",
    # --- compare definitions ----------------------------------------------------------------
    "definition.line": "{term}: {text}",
    "definition.delta.term": "B − A",
    "definition.delta.text": "every delta is run B minus run A",
    "definition.pairing.term": "pairing",
    "definition.pairing.text": "per image, both runs' boxes with score >= s visited together by "
    "descending score; a box takes the unpaired box of the other run with the highest IoU >= the "
    "pairing IoU (class-agnostic, one-to-one); same class = agree, else a class swap; unpaired = "
    "one-sided",
    "definition.verdict.term": "verdict",
    "definition.verdict.text": "a box is right when it is a TP of its class at the operating "
    "point (score >= s, IoU >= u); a swap is 'a right', 'b right', 'both wrong' (a GT object "
    "overlaps a box at IoU >= 0.1 but neither is a TP) or 'no object there' (both on background)",
    "definition.error_types.term": "error types",
    "definition.error_types.text": "TIDE's: cls (right box, wrong class), loc (right class, IoU "
    "0.1-0.5), both, dupe (duplicate of a found object), bkg (IoU < 0.1 with every object), miss "
    "(an object no detection explains); ΔAP50 = AP50 after TIDE's oracle fix of that type minus "
    "AP50",
    "definition.bootstrap.term": "bootstrap",
    "definition.bootstrap.text": "images resampled with replacement, the same resample for both "
    "runs; interval = percentiles of the resampled deltas; p = 2 (1 + smaller tail) / (N + 1)",
    "definition.mcnemar.term": "McNemar",
    "definition.mcnemar.text": "per non-crowd GT object: found with the right class at the "
    "operating point by A vs by B; exact binomial test on the discordant objects",
    "definition.agreement.term": "agreement",
    "definition.agreement.text": "agreeing pairs / (pairs + one-sided boxes); Cohen's kappa on "
    "paired boxes' classes; agreement is not accuracy: both runs can agree and be wrong",
    # --- caveats: definitions that differ between tools ------------------------------------
    "caveat.tools.categories": "Categories averaged: mAP and TIDE's ΔAP here average over the "
    "classes with GT (as COCO does); tidecv also averages classes with detections and no GT "
    "(they score 0 there), which gives lower numbers.",
    "caveat.tools.max_dets": "maxDets: COCO mAP keeps at most the top 100 detections per image "
    "and category (pycocotools applies the cap per category); a scorer that caps per image "
    "gives different numbers on images with many detections.",
    "caveat.tools.tide_max_dets": "TIDE: tidecv keeps the top 100 detections per image; pillcmp "
    "the top 100 per image and category, as COCO AP does.",
    "caveat.tools.crowd": "Crowd regions absorb detections as in COCO (neither TP nor FP); "
    "tidecv still gives them an error type.",
    "caveat.tools.tie_scores": "Tied scores are ranked as COCO ranks them (score, then image id, "
    "then file order); tidecv's fixed runs put every FP before the TPs of equal score, which "
    "biases its fixed APs low.",
    "caveat.tools.accuracy": '"Accuracy" has no standard definition for detectors: the two '
    "here are defined next to their numbers; an accuracy quoted without a definition cannot be "
    "compared with them.",
    # --- figure captions (the texts inside the figures and the gallery are in English the
    # figure modules' own defaults, report_plots.LABELS and gallery.GALLERY_LABELS; other
    # languages give them as plot.<figure>.<label> and gallery.<label>) -------------------
    "figure.ap_comparison": "AP per class for both models, sorted by the gap.",
    "figure.pr_curves": "Precision-recall curves at IoU 0.50: all classes, and the worst classes.",
    "figure.score_histograms": "Detection scores of both models (the dashed line is the "
    "operating point's score threshold).",
    "figure.error_breakdown": "TIDE error types: how much AP50 fixing each type would gain, per "
    "model.",
    "figure.support_vs_ap": "Training annotations per class against AP, per model.",
    "figure.confusion_pair": "Confusions (GT class → predicted class) of both models, on one "
    "colour scale.",
    "figure.class_distribution": "Training annotations per class.",
    # --- eval -------------------------------------------------------------------------------
    "eval.unnamed": "results",
    "eval.in_memory": "in memory",
    "eval.the_ground_truth": "the ground truth",
    "eval.title": "Evaluation: {name}",
    "eval.header.inputs": "{name} ({results}) against {gt}",
    "eval.header.sizes": "{detections} detections on {images} images; {gt_boxes} GT boxes, "
    "{crowd} crowd regions, {categories} declared categories",
    "eval.coco.title": "COCO metrics",
    "eval.coco.intro": "Equal to pycocotools COCOeval.summarize() (bbox); n/a where pycocotools "
    "prints -1.",
    "eval.op.title": "Operating point: {at}",
    "eval.accuracy.title": "Accuracy ({at})",
    "eval.per_class.title": "Per class",
    "eval.per_class.coco": "Per class: COCO metrics (all scores)",
    "eval.per_class.op": "Per class: operating point ({at})",
    "eval.per_class.columns": "columns",
    "eval.per_class.legend_coco": "GT = non-crowd GT boxes (support); dets = detections of the "
    "class (all scores); AP = mean precision over {ious} and 101 recall points, all sizes, top "
    "{top} per image and class; AP50/AP75 at IoU 0.50/0.75; {ar} = mean recall over the same "
    "IoUs; n/a = no GT box in the class.",
    "eval.per_class.legend_op": "TP, FP, FN, P (precision), R (recall), F1 at the operating point "
    "(definitions above); best F1 = highest F1 over every detection score used as the threshold, "
    "at that score.",
    "eval.confusion.title": "Confusion matrix",
    "eval.confusion.convention": _CONVENTION,
    "eval.confusion.correct": "correct (diagonal)",
    "eval.confusion.misclassified": "misclassified (off-diagonal)",
    "eval.confusion.false_detections": "false detections (background row)",
    "eval.confusion.missed": "missed GT (background column)",
    "eval.confusion.absorbed": "absorbed by crowd regions",
    "col.cell": "cells",
    "eval.confusion.top": "Most frequent confusions (GT class -> predicted class), top {n}:",
    "op.at": "score >= {score:g}, IoU >= {iou:g}",
    "op.micro": "micro",
    "op.macro": "macro",
    "op.best_f1": "best F1 over all classes (micro): {f1} at score >= {at}",
    "op.absorbed": "detections absorbed by crowd regions (neither TP nor FP): {n}",
    "col.precision": "precision",
    "col.recall": "recall",
    "col.accuracy": "accuracy",
    "col.count": "count",
    "col.name": "name",
    "col.dets": "dets",
    "col.best_f1": "best F1",
    "col.at_score": "at score",
    "col.gt_class": "GT class",
    "col.predicted": "predicted",
    "col.role": "role",
    "col.file": "file",
    "col.parameter": "parameter",
    "col.meaning": "meaning",
    "stat.definition": "{kind}, {ious}, {area}, top {top}",
    "stat.ap": "AP",
    "stat.ar": "AR",
    "stat.legend_term": "AP, AR, top m",
    "stat.legend": _SUMMARY_LEGEND,
    "area.all": "all sizes",
    "area.small": "small (area ≤ 32²)",
    "area.medium": "medium (32² ≤ area ≤ 96²)",
    "area.large": "large (area ≥ 96²)",
    "iou.single": "IoU {value:.2f}",
    "iou.range": "IoU {low:.2f}:{high:.2f} step {step:.2f} ({n} thresholds)",
    "iou.list": "IoU {values}",
    **{f"def.op.{k}": v for k, v in _OP_DEFINITIONS.items()},
    **{f"def.accuracy.{k}": v for k, v in _ACCURACY_DEFINITIONS.items()},
    # --- gt audit ----------------------------------------------------------------------------
    "s.gt_audit": "Ground-truth audit: false detections or missing labels?",
    "absent.gt_audit": "Needs a ground truth: it would add the boxes both models agree on where "
    "the ground truth has none (likely missing annotations) and the GT boxes both models call "
    "the same other class (likely wrong labels).",
    "gt_audit.intro": "Annotations can be incomplete. A box is a likely missing annotation when "
    "both models put it in the same place (paired at IoU >= {pair_iou:g}) with the same class, "
    "both at the operating point ({at}), and neither box reaches IoU {near:g} with a GT box of "
    "any class: it is counted as a false positive of both models, but more likely shows an "
    "object nobody labelled. A GT box is a likely wrong label when both models, each with a box "
    "matching it at the operating IoU whatever the class, confidently call it the same other "
    "class and neither also finds its annotated class there.",
    "gt_audit.counts": "{missing} likely missing annotation(s), each counted as a false positive "
    "of both {a} and {b}; {wrong} likely wrong label(s). These are leads to check by eye, not "
    "proven annotation errors.",
    "gt_audit.none": "None found: wherever both models agree with confidence, the ground truth "
    "has a box of that class.",
    "gt_audit.col.missing": "likely missing",
    "gt_audit.col.wrong": "likely wrong label",
    "gt_audit.classes_caption": "Per class, most cases first (likely missing: the class both "
    "models say; likely wrong label: the annotated class).",
    "gt_audit.legend.missing": "boxes both models agree on (same class, scores at the operating "
    "point) with no GT box of any class near them",
    "gt_audit.legend.wrong": "GT boxes of this class that both models confidently call the same "
    "other class",
    "gt_audit.col.image": "image",
    "gt_audit.col.score": "score {name}",
    "gt_audit.col.box": "box {name} (x, y, w, h)",
    "gt_audit.missing_caption": "The {n} most confident of {total} likely missing annotations "
    "(by the lower of the two scores).",
    "gt_audit.col.both_say": "both models say",
    "gt_audit.col.gt_ids": "GT annotation ids",
    "gt_audit.wrong_caption": "Likely wrong labels per (annotated class, class both models say), "
    "most first.",
    "gt_audit.col.actual": "{name} (actual)",
    "gt_audit.col.estimate": "{name} (estimate)",
    "gt_audit.estimate_caption": "ESTIMATE, not the real numbers: the headline metrics with the "
    "detections of the {n} likely missing boxes ignored (neither TP nor FP, as COCO treats "
    "detections on ignored regions). The real numbers are those of the overall comparison.",
    "gt_audit.estimate_note": "An estimate of what a complete ground truth would give: it only "
    "stops counting these boxes as false positives. A complete ground truth would also count "
    "them as objects found (recall up) and might add objects only one model found. Check the "
    "cases by eye before relying on it.",
    # --- diagnosis: category ids
    "diagnosis.category_offset.title": "Category ids shifted by a constant",
    "diagnosis.category_offset.text": "{file}: every category id is {offset:+g} from {reference}'s"
    "{k_number}: shifted back, {explained:.0%} of the {matched} boxes that match a box there "
    "agree on the class, as given {explained_as_given:.0%}.",
    "diagnosis.category_offset.k_number": " (the K-number written instead of dl_idx = K-number − 1)",
    "diagnosis.category_offset.fix": "Load it with {option} (or write the ground truth's ids, "
    "dl_idx, in the file).",
    "diagnosis.category_class_index.title": "Category ids are the detector's class index",
    "diagnosis.category_class_index.text": "{file}: the category ids are the detector's class "
    "index (small integers counting the classes), not {reference}'s ids: mapped to its category "
    "list, {explained:.0%} of the {matched} boxes that match a box there agree on the class, as "
    "given {explained_as_given:.0%}.",
    "diagnosis.category_class_index.fix": "Load it with {option}, or turn each class index into "
    "its category id (the category list the model was trained with) before writing the file.",
    "diagnosis.category_permutation.title": "Category ids in another class order",
    "diagnosis.category_permutation.text": "{file}: the category ids follow another class order "
    "than {reference}'s: with the one-to-one map read from the boxes ({mapped_ids} ids), "
    "{explained:.0%} of the {matched} boxes that match a box there agree on the class, as given "
    "{explained_as_given:.0%}.",
    "diagnosis.category_permutation.fix": "Load it with {option}, or check the class list the "
    "model was trained with against the ground truth's; pillcmp doctor --write-map saves the map "
    "for review.",
    "diagnosis.category_ids.map_change": " mAP@[.5:.95] as given {map_before:.3f}, with the map "
    "{map_after:.3f}.",
    # --- causes: localization, TIDE at a stricter IoU, honest statistics -------------------
    "corr.facts": "Spearman rho = {rho:.2f}, {p}{holm}, {n} classes{few}",
    "corr.holm": ", Holm-adjusted {p}",
    "corr.few": ", fewer than {limit}",
    "corr.power": "; {n} classes could reveal only |rho| >= {rho:.2f} (80% power at {alpha:.0%}, "
    "Fisher z approximation)",
    "sentence.dispute.count": "; {what} ({facts})",
    "sentence.dispute.above": ", and {above} of those {n} have above-median training support",
    "dispute.count.disputes_on_frequent": "the raw number of disagreements rises with training "
    "support, but frequent classes also have more test objects to disagree on",
    "dispute.count.disputes_on_rare": "the number of disagreements falls as training support grows",
    "dispute.count.no_evidence": "no evidence that the number of disagreements follows training "
    "support",
    "summary.cause.localization": "Most of the gap is localization: {share:.0%} of the {delta:.3f} "
    "mAP difference between {better} and {worse} comes at IoU above {loose:.2f} (ΔAP at IoU "
    "{loose:.2f} = {delta_loose:.3f}): {better}'s boxes sit tighter on the objects.",
    "summary.cause.tide": "The largest cause of the gap by TIDE's fixes at IoU 0.50 is {cause}: "
    "fixing those errors would gain {worse} {value:.3f} AP50 more than {better}{part}; "
    "{share:.0%} of the {delta:.3f} mAP difference comes at IoU above {loose:.2f}.",
    "summary.cause.tide_share": " ({tide_share:.0%} of the AP50 gap)",
    "summary.cause.none": "No single cause stands out: {share:.0%} of the {delta:.3f} mAP "
    "difference between {better} and {worse} comes at IoU above {loose:.2f}, and no TIDE error "
    "type costs {worse} more than {better}.",
    "summary.cause.no_gap": "Both runs have the same mAP: there is no gap to explain.",
    "summary.cause.undefined": "Where the gap comes from cannot be computed (an AP is undefined).",
    "cause.localization": "localization (the right class, the box placed less precisely)",
    "cause.classification": "classification (a well-placed box with the wrong class)",
    "cause.duplicates": "duplicate detections",
    "cause.background": "detections on background",
    "cause.missed": "missed objects",
    "s.causes.localization": "Localization: AP at each IoU threshold",
    "localization.text": "Δ = mAP(B) − mAP(A) = {delta:+.4f} is the mean over the IoU thresholds "
    "of ΔAP at each. At the loosest threshold, IoU {loose:.2f}, ΔAP = {delta_loose:+.4f}: the "
    "part that detection and classification make. The rest, Δ_loc = Δ − ΔAP({loose:.2f}) = "
    "{delta_loc:+.4f}, is how much faster one run's AP falls as the IoU gets stricter: "
    "localization. Localization share = Δ_loc / Δ = {share}.",
    "localization.no_share": "n/a (no gap)",
    "localization.caption": "AP at each IoU threshold: pycocotools' precision at that threshold, "
    "all sizes, top {top}, averaged over 101 recall points and the classes with GT; the mean of "
    "a column is that run's mAP.",
    "localization.matched_caption": "IoU of each run's true positives at IoU {iou:.2f} with the "
    "GT box they matched (all scores, top {top} per image and class).",
    "localization.tide_note": "TIDE at IoU 0.50 counts a box at IoU 0.6 as found, so it cannot "
    "see this; the error types section repeats TIDE at IoU {iou:.2f}.",
    "col.iou_threshold": "IoU threshold",
    "col.mean": "mean",
    "col.matched": "true positives",
    "errors.strict_intro": "The same at IoU {iou:.2f}: a box counts as found only at IoU >= "
    "{iou:.2f}, so boxes placed loosely become Loc errors (the types' rules as above, with "
    "{iou:.2f} in place of 0.5).",
    "errors.strict_caption": "TIDE at IoU {iou:.2f}; ΔAP = gain in AP at IoU {iou:.2f} from "
    "fixing every error of the type.",
    "col.model_dap_at": "{name} ΔAP{pct}",
    "param.tide_iou": "stricter TIDE IoU",
    "param.tide_iou.text": "the IoU of the second TIDE breakdown (boxes found at IoU 0.50 but "
    "placed loosely show up there as Loc errors)",
    "glossary.localization_share.term": "localization share",
    "glossary.localization_share.english": "Localization share",
    "glossary.localization_share.text": "Δ_loc / Δ: the share of the mAP gap that comes at IoU "
    "stricter than 0.50 (Δ_loc = Δ − ΔAP50)",
    "glossary.holm.term": "Holm correction",
    "glossary.holm.english": "Holm–Bonferroni",
    "glossary.holm.text": "p-values of several tests read together, adjusted so that the chance "
    "of any false finding stays at alpha",
    "definition.localization.term": "localization share",
    "definition.localization.text": "Δ = mAP(B) − mAP(A) = mean over IoU thresholds t of ΔAP_t; "
    "Δ_loose = ΔAP at the loosest t (0.50): detection and classification; Δ_loc = Δ − Δ_loose: "
    "how much faster one run's AP decays as the IoU gets stricter; share = Δ_loc / Δ (n/a when "
    "Δ ≈ 0). Dominant cause: localization when its share >= 0.5, else the TIDE type (cls, dupe, "
    "bkg, miss, loc + both) whose ΔAP50 is largest in the worse run compared with the better",
    "definition.statistics.term": "no evidence",
    "definition.statistics.text": "a test that is not significant says there is no evidence of "
    "an effect, not that there is none: each such sentence gives the interval, or the smallest "
    "|rho| the data could detect with 80% power (Fisher z: tanh((z(1 − α/2) + z(0.8)) / "
    "√(n − 3))); the Spearman tests of the support analysis are read together, with Holm's "
    "adjusted p",
    "figure.ap_by_iou": "AP at each IoU threshold for both models: the gap grows as the IoU gets "
    "stricter when one model places its boxes less precisely.",
    "figure.matched_iou": "IoU of each model's true positives with their GT boxes (dashed: "
    "median).",
    # --- without a ground truth: agreement of two result files (sections/agreement.py) -----
    "meta.input.class_map": "Class map",
    "agreement_report.what": "Without a ground truth this report compares {a} and {b} with each "
    "other: where they agree and where they disagree, not which one is right.",
    "agreement_report.rate": "Of {items} objects found (a pair of boxes, or a box only one model "
    "found), {agree} agree ({rate}): the same place and the same class; Cohen's kappa on the "
    "paired boxes' classes {kappa}.",
    "agreement_report.top_pattern": "The most frequent disagreement: {a} says {x} where {b} says "
    "{y}, on {n} boxes ({images} images); {swaps} class swaps in {patterns} patterns in all.",
    "agreement_report.no_swaps": "{a} and {b} never give the same box different classes.",
    "agreement_report.one_sided": "{a_only} boxes only {a} found and {b_only} only {b} found.",
    "agreement_report.training": "Training set: imbalance ratio {most} / {least} = {ratio:.2f} "
    "(max / min annotations per class), Gini {gini}; {rare} rare classes (fewer than "
    "{threshold} annotations).",
    "agreement_report.on_rare": "{on_rare} of the {total} disagreements ({share}) involve a rare "
    "class, which hold {base} of all boxes; the runs agree on {rate_rare} of the objects with a "
    "rare class and {rate_frequent} of the others.",
    "agreement_report.col.boxes": "boxes",
    "agreement_report.col.model_boxes": "{name} boxes",
    "agreement_report.patterns_caption": "{n} patterns: {a} says X where {b} says Y on the same "
    "box, most boxes first.",
    "agreement_report.patterns_text": "A class swap is one object (boxes paired at IoU >= the "
    "pairing IoU) that {a} and {b} give different classes. Grouped by the two classes:",
    "agreement_report.class_counts_caption": "Boxes with score >= {score:g} per class, most "
    "first; agree, swaps and one-sided count the paired items of the class.",
    "agreement_report.class_counts_caption_rare": "Boxes with score >= {score:g} per class beside "
    "the training support, fewest training annotations first (rare: fewer than {rare}); agree, "
    "swaps and one-sided count the paired items of the class.",
    "agreement_report.one_sided_caption": "{n} classes with a box only one model found, most "
    "first.",
    "agreement_report.images_text": "{n} of {total} images have a disagreement (a class swap or "
    "a box only one model found), listed most first; on the other {agreeing} every box agrees.",
    "agreement_report.rare_caption": "The {n} rare classes (fewer than {rare} training "
    "annotations).",
    "agreement_report.legend.disputes": "class swaps with the class on either side plus its "
    "one-sided boxes",
    "agreement_report.rare_patterns_caption": "{n} swap patterns with a rare class on either side.",
    "agreement_report.role.class_map": "Class map",
    "agreement_report.class_map": "Category names from the class map {file}{columns}: {names} "
    "names; {named} of the {total} classes the models use are named.",
    "agreement_report.class_map.columns": " (columns {columns})",
    "agreement_report.class_map.missing": "Classes the class map does not name (shown by id): "
    "{ids}",
    "agreement_report.inputs_caption": "Count: detections loaded (A, B), training annotations, "
    "names in the class map.",
    "agreement_report.param.score": "score threshold s",
    "agreement_report.param.score.text": "boxes with score >= s are paired and counted",
    "agreement_report.s.per_class": "Boxes per class",
    "agreement_report.s.agreement": "Box by box: where the models disagree",
    "agreement_report.s.one_sided": "Boxes only one model found",
    "agreement_report.s.images": "Images with a disagreement",
    "agreement_report.no_gallery": "With --images (the folder of the photos) each image with a "
    "disagreement is drawn here with both models' boxes.",
    "agreement_report.s.imbalance": "Class imbalance of the training set",
    "agreement_report.s.rare": "Disagreements on rare classes",
    "agreement_report.indices_note": "The ratio depends on the two extreme classes only; the "
    "Gini coefficient, the evenness and the effective number of classes describe the whole "
    "distribution.",
    "agreement_report.untrained": "Classes the models use that have no training annotation "
    "(support 0, counted as rare): {ids}",
    "agreement_report.rare_note": "A share of disagreements on rare classes above their share "
    "of the boxes says the models disagree more on rarely trained classes; which model is "
    "right on them needs a ground truth.",
    "agreement_report.caveats.none": "No warning was raised while loading.",
    "agreement_report.caveat.agreement": "Agreement is not accuracy: both models can give a box "
    "the same wrong class, or both miss an object; neither shows here.",
    "agreement_report.caveat.ground_truth": "With the ground truth of these images (--gt) the "
    "report also says which model is right on every disagreement and how accurate each is.",
    "figure.class_counts": "Boxes per class of both models at the operating score (B − A beside "
    "the bars).",
    "figure.swap_heatmap": "Class swaps: the class one model says (row) against the class the "
    "other says (column) on the same box; only the classes involved in a swap.",
    "gallery_note.box_outside": "Image {image_id}{file}: some boxes lie outside the photo "
    "({size}): the detections are not in this photo's pixel coordinates (another image size?); "
    "they are drawn cut at its edge.",
    "col.image": "image",
    "per_image.text": "On {agree:,} of {total:,} images both models give every box the same class; "
    "the {n:,} images where they differ follow, lowest agreement first.",
    "per_image.text_all": "On all {total:,} images both models give every box the same class.",
    "per_image.legend.rate": "agreeing pairs / (pairs + boxes only one model found) on the image",
    "pairs.intro": "Each model's boxes with score >= s are paired with the other model's, image by "
    "image: the boxes of both are visited together by descending score, and each takes the "
    "unpaired box of the other model with the highest IoU at or above the pairing IoU, whatever "
    "its class. A pair with one class agrees, a pair with two classes is a class swap, and a box "
    "left unpaired is one-sided.",
    "col.gt_has": "of these, the GT has",
    "gt.none": "none",
    "list_verdict.a_right": "{a} right",
    "list_verdict.b_right": "{b} right",
    "list_verdict.each_partly": "each partly right",
    "list_verdict.both_wrong": "both wrong",
    "list_verdict.no_gt": "image not in the GT",
    "differing.legend.gt_has": "the categories only one model lists that the ground truth has on "
    "the image",
    "differing.legend.verdict": "whose list the ground truth sides with on the categories that "
    "differ: right = every category it alone lists is in the GT and none of the other's; each "
    "partly right = each lists a true category the other lacks; both wrong = the GT has none of "
    "them",
    "col.model_says": "{name} says",
    "col.swap_boxes": "boxes",
    "col.substitution_images": "images with only this difference",
    "col.model_right": "{name} right",
    "col.no_object": "no object there",
    "patterns.caption_merged": "{n:,} disagreements (one class in A, another in B), most boxes "
    "first.",
    "patterns.legend.boxes": "class swaps: the same box (paired at the pairing IoU) with this "
    "class in A and that class in B; images: the images they are on",
    "patterns.legend.substitution": "images whose category lists differ by this one category only "
    "(A lists X, B lists Y, nothing else differs); a row with 0 boxes: there the two classes are "
    "on different boxes",
    "col.difference": "what differs",
    "boxes.legend.verdict": "for a class swap, whose class the ground truth confirms ('{a} right', "
    "'{b} right', 'both wrong', 'no object there'); for a box only one model has, '<the other> "
    "missed it' when the box is right, '<model> wrong (type)' when it is a false positive, with "
    "its TIDE error type",
    "verdict.missed": "{name} missed it",
    "verdict.one_wrong": "{name} wrong",
    "verdict.one_wrong_type": "{name} wrong ({error})",
    "imbalance.ratio_note": "The ratio alone depends on the two extreme classes only; the Gini "
    "coefficient, the evenness and the effective number of classes describe the whole "
    "distribution. Neither says whether the imbalance explains the results: the next part tests "
    "that.",
    "s.report.patterns": "Most frequent disagreements",
    # --- lrp
    "eval.lrp.title": "Optimal LRP (IoU {iou:g}, lower is better)",
    "col.lrp": "LRP error",
    "def.lrp.olrp": "oLRP: per class, the lowest LRP = (sum over TPs of (1 - IoU)/(1 - {iou:g}) + FP "
    "+ FN) / (TP + FP + FN) over every score threshold (Oksuz et al. 2021); 0 is perfect, 1 finds "
    "nothing; mean over the classes with GT boxes",
    "def.lrp.olrp_loc": "localisation: mean (1 - IoU)/(1 - {iou:g}) of the TPs at each class's "
    "oLRP threshold",
    "def.lrp.olrp_fp": "false detections: FP / (TP + FP) = 1 - precision at that threshold",
    "def.lrp.olrp_fn": "misses: FN / GT = 1 - recall at that threshold",
    "lrp.thresholds_note": "{n} of {total} classes have a score threshold that minimises their "
    "LRP (per class in the JSON output, with the F1-optimal one); 'pillcmp eval --thresholds-out "
    "FILE' writes them; 'pillcmp convert' or 'pillcmp predict' with '--class-thresholds FILE' "
    "submits at them.",
    # --- calibration
    "s.overall.calibration": "Calibration: can the scores be trusted?",
    "calibration.text": "Calibration asks whether a score means what it says: of the detections "
    "scored about 0.8, are about 80 % right? Each detection the matching counts (all sizes, no "
    "score threshold) is right when it is a true positive at IoU {iou:.2f}. The detections are "
    "sorted into {n_bins} {strategy}; D-ECE (detection expected calibration error, "
    "Küppers et al. 2020) is the mean, weighted by each bin's share of the detections, of "
    "|precision of the bin − mean score of the bin|. 0 is perfect; lower is better.",
    "calibration.strategy.equal_count": "equal-count score bins (the same number of detections "
    "in each)",
    "calibration.strategy.equal_width": "equal-width score bins",
    "calibration.finding.a_better": "{a}'s scores are the more trustworthy: D-ECE {ece_a:.3f} "
    "against {ece_b:.3f} for {b} (B − A {delta:+.3f}, {level:.0%} interval {low:+.3f} to "
    "{high:+.3f}, paired bootstrap over images, {n} resamples).",
    "calibration.finding.b_better": "{b}'s scores are the more trustworthy: D-ECE {ece_b:.3f} "
    "against {ece_a:.3f} for {a} (B − A {delta:+.3f}, {level:.0%} interval {low:+.3f} to "
    "{high:+.3f}, paired bootstrap over images, {n} resamples).",
    "calibration.finding.no_difference": "Neither model's scores are shown to be more "
    "trustworthy: D-ECE {ece_a:.3f} for {a}, {ece_b:.3f} for {b} (B − A {delta:+.3f}, "
    "{level:.0%} interval {low:+.3f} to {high:+.3f} holds 0; paired bootstrap over images, {n} "
    "resamples).",
    "calibration.finding.not_tested": "D-ECE {ece_a:.3f} for {a}, {ece_b:.3f} for {b} (B − A "
    "{delta:+.3f}); whether the difference is real was not tested (no bootstrap).",
    "calibration.undefined": "Calibration is undefined: a model has no detection to bin.",
    "calibration.caption": "D-ECE per model; mean score − precision > 0: over-confident (the "
    "scores promise more than the boxes deliver), < 0: under-confident.",
    "calibration.class_caption": "D-ECE per class, for the classes where both models have at "
    "least {min} detections; largest gap first.",
    "col.ece": "D-ECE",
    "col.overconfidence": "mean score − precision",
    "figure.calibration": "Reliability diagram of both models: per score bin, the mean score "
    "against the share of true positives; on the dashed diagonal a score is exactly as often "
    "right as it says.",
    "col.calibration_detections": "detections counted",
    # --- lrp in the comparison (overall.lrp, the compare command's lines) -------------------
    "s.overall.lrp": "Optimal LRP: errors at each class's best score threshold",
    "lrp.text": "LRP (Localisation Recall Precision error, Oksuz et al. 2018, 2021) counts "
    "every error of a detector at one score threshold in one number: each true positive costs "
    "its localisation error (1 − IoU)/(1 − τ), matched at IoU τ = {iou:g} (a box at IoU τ "
    "costs as much as a miss), each false detection (FP) and each miss (FN) costs 1, and the "
    "sum is divided by TP + FP + FN. 0 is a perfect detector, 1 finds nothing. oLRP is a "
    "class's lowest LRP over every score threshold, averaged over the classes with GT boxes; "
    "lower is better. Its components at each class's optimum: localisation (mean "
    "(1 − IoU)/(1 − τ) of the TPs), FP (1 − precision) and FN (1 − recall). AP averages over "
    "every threshold; oLRP judges a model at the threshold a team would submit at, and says "
    "which error is left there.",
    "lrp.finding.a_better": "{a} makes fewer errors at its best thresholds: oLRP {olrp_a:.3f} "
    "against {olrp_b:.3f} for {b} (B − A {delta:+.3f}, {level:.0%} interval {low:+.3f} to "
    "{high:+.3f}, paired bootstrap over images, {n} resamples).",
    "lrp.finding.b_better": "{b} makes fewer errors at its best thresholds: oLRP {olrp_b:.3f} "
    "against {olrp_a:.3f} for {a} (B − A {delta:+.3f}, {level:.0%} interval {low:+.3f} to "
    "{high:+.3f}, paired bootstrap over images, {n} resamples).",
    "lrp.finding.no_difference": "Neither model is shown to make fewer errors at its best "
    "thresholds: oLRP {olrp_a:.3f} for {a}, {olrp_b:.3f} for {b} (B − A {delta:+.3f}, "
    "{level:.0%} interval {low:+.3f} to {high:+.3f} holds 0; paired bootstrap over images, {n} "
    "resamples).",
    "lrp.finding.not_tested": "oLRP {olrp_a:.3f} for {a}, {olrp_b:.3f} for {b} (B − A "
    "{delta:+.3f}); whether the difference is real was not tested (no bootstrap).",
    "lrp.undefined": "oLRP is undefined: no class has a GT box.",
    "lrp.caption": "oLRP and its components per model, means over the classes (localisation and "
    "FP over the classes whose optimum keeps a TP); lower is better.",
    "lrp.class_caption": "Per class: each model's oLRP and the score thresholds to submit at, the "
    "one reaching the class's oLRP and the one maximising F1 (n/a: keep no detection of the "
    "class); largest oLRP gap first.",
    "lrp.submit": "To submit at a model's thresholds: 'pillcmp eval GT RESULTS --thresholds-out "
    "thresholds.json' writes its per-class oLRP thresholds ('--thresholds-rule f1' the F1 ones); "
    "'pillcmp convert RESULTS submission.csv --class-thresholds thresholds.json' or 'pillcmp "
    "predict ... --class-thresholds thresholds.json' then keeps only the detections at or above "
    "their class's threshold. Thresholds chosen on these images fit them best: choose them on a "
    "validation split, not on the test set.",
    "col.olrp_threshold": "oLRP threshold",
    "col.f1_threshold": "F1 threshold",
    "glossary.olrp.term": "oLRP",
    "glossary.olrp.english": "optimal Localisation Recall Precision error",
    "glossary.olrp.text": "per class, the lowest LRP over every score threshold; LRP = (sum over "
    "TPs of (1 − IoU)/(1 − 0.5) + FP + FN) / (TP + FP + FN); 0 is perfect, lower is better "
    "(Oksuz et al. 2018, 2021)",
    "line.calibration": "Calibration (D-ECE, lower is better): {a} {ece_a:.3f}, {b} {ece_b:.3f}; "
    "{verdict}.",
    "line.calibration.a_better": "{a}'s scores are the more trustworthy ({level:.0%} interval of "
    "B − A {low:+.3f} to {high:+.3f})",
    "line.calibration.b_better": "{b}'s scores are the more trustworthy ({level:.0%} interval of "
    "B − A {low:+.3f} to {high:+.3f})",
    "line.calibration.no_difference": "neither is shown more trustworthy ({level:.0%} interval "
    "of B − A {low:+.3f} to {high:+.3f} holds 0)",
    "line.calibration.not_tested": "the difference was not tested",
    "line.olrp": "oLRP (IoU {iou:g}, lower is better) {name}: {olrp} (localisation {loc}, FP "
    "{fp}, FN {fn})",
    # --- domain claims (causes.claims)
    "s.causes.claims": "The domain's claims, tested",
    "claims.absent": "The domain's claims were not tested (no ground truth).",
    "claims.intro": "Hand-written reports explain pill confusions by the pills themselves: "
    "look-alikes of the same shape and colour, faint or missing imprints. Where the ground "
    "truth's annotations carry AIHub's pill attributes (drug_shape, color_class1, color_class2, "
    "print_front, print_back: what 'pillcmp merge' keeps from the per-pill files), each claim "
    "is tested here. A class takes the most frequent value among its annotations. Swaps are the "
    "confusion tables' found pills called another class (score >= {s:g}, IoU >= {iou:g}), with "
    "both models' swaps pooled. A claim is supported when its one-sided p is below {alpha:g}; not "
    "supported means these classes show no such effect, which with a few dozen classes is no "
    "evidence that there is none.",
    "claims.no_attributes": "The ground truth's annotations carry no pill attributes, so no "
    "claim can be tested with these files. Merge AIHub's per-pill files with 'pillcmp merge' "
    "(it keeps drug_shape, color_class1, print_front, ... under each annotation's "
    "'attributes') and give that ground truth.",
    "col.claim": "claim",
    "col.claim_scope": "tested on",
    "col.test": "test",
    "col.claim_result": "numbers",
    "claims.claim.look_alike_swaps": "Swaps happen between pills of the same shape and colour "
    "more than by chance",
    "claims.claim.imprint_lower_ap": "Classes without an imprint have a lower AP",
    "claims.claim.imprint_larger_gap": "The gap between the models is larger on classes "
    "without an imprint",
    "claims.verdict.supported": "supported",
    "claims.verdict.not_supported": "not supported",
    "claims.verdict.not_testable": "not testable with these files",
    "claims.caption": "Each claim with its one-sided test; verdicts at {alpha:g}.",
    "claims.term.look_alike": "look-alikes",
    "claims.legend.look_alike": "two classes with the same drug_shape, color_class1 and "
    "color_class2",
    "claims.term.no_imprint": "without an imprint",
    "claims.legend.no_imprint": "print_front and print_back both empty (AIHub does not record "
    "how faint an imprint is, so only missing ones are tested)",
    "claims.term.permutation": "permutation test",
    "claims.legend.permutation": "the looks (shape and colours) are shuffled among the classes, "
    "every swap count kept; p = the share of shuffles with at least as many look-alike swaps "
    "(1 + hits) / (1 + shuffles), or exact over every ordering when there are few classes",
    "claims.term.mann_whitney": "Mann-Whitney U",
    "claims.legend.mann_whitney": "rank test of the classes without an imprint against the "
    "others (scipy.stats.mannwhitneyu; U of the classes without an imprint); AP is COCO's "
    "(IoU 0.50:0.95) per class",
    "claims.no_imprint_classes": "Classes without an imprint: {ids}.",
    "claims.sentence": "{claim} ({scope}): {verdict} ({p}); {facts}.",
    "claims.scope.pooled": "swaps of {a} and {b} pooled",
    "claims.scope.gap": "lead of {better} over {worse}",
    "claims.scope.gap_unknown": "the gap between the models",
    "claims.test.permutation": "permutation test, one-sided, {n:,} random shuffles",
    "claims.test.permutation_exact": "permutation test, one-sided, exact ({n:,} orderings)",
    "claims.test.permutation_plain": "permutation test, one-sided",
    "claims.alternative.less": "lower",
    "claims.alternative.greater": "larger",
    "claims.test.mann_whitney": "Mann-Whitney U, one-sided ({side}), {method}",
    "claims.test.mann_whitney_plain": "Mann-Whitney U, one-sided ({side})",
    "claims.method.exact": "exact",
    "claims.method.asymptotic": "normal approximation",
    "claims.reason.no_attributes": "the annotations carry no shape, colour or imprint",
    "claims.reason.no_look_alikes": "no two classes share shape and colour",
    "claims.reason.no_swaps": "no swap between classes of known shape and colour",
    "claims.reason.too_few_classes": "{n1} classes without an imprint and {n2} with one; each "
    "side needs at least {min}",
    "claims.reason.no_gap": "the models' mAPs are equal or undefined",
    "claims.facts.look_alike_swaps": "{same} of {n} swaps ({share:.1%}) between look-alikes, "
    "{expected:.1%} expected by chance ({a} {n_a} swaps, {b} {n_b})",
    "claims.facts.imprint_lower_ap": "U = {u:g}; median AP {m1:.3f} on the {n1} classes "
    "without an imprint, {m2:.3f} on the {n2} with one",
    "claims.facts.imprint_larger_gap": "U = {u:g}; median lead {m1:+.3f} on the {n1} classes "
    "without an imprint, {m2:+.3f} on the {n2} with one",
    # --- slices (issue 17 §3)
    "s.slices": "Slices: does the gap change across the data?",
    "s.slices.key": "By {attr}",
    "s.eval.slices": "Slices",
    "slices.text": "A slice is the part of the data with one value of a key: an image property "
    "(objects_per_image: GT boxes per image; image_size: width × height) or an attribute of the "
    "annotations (e.g. drug_shape, color_class1). Its mAP is the COCO mAP computed on that part "
    "alone, from the same match tables (nothing is matched again); the note under each table "
    "says how the key cuts the data. B − A per slice comes with the percentile interval of the "
    "paired image bootstrap (the overall test's resamples, counted on the slice's images only). "
    "p (gap) is the two-sided bootstrap p-value of 'B − A on this slice equals B − A on the "
    "rest', the rest being every other slice of the key, on the same resamples; p (Holm) "
    "corrects it for the key's number of slices (two slices make one test). A slice with fewer "
    "than {min} images is not tested.",
    "slices.eval_text": "A slice is the part of the data with one value of a key: an image "
    "property (objects_per_image: GT boxes per image; image_size: width × height) or an "
    "attribute of the annotations (e.g. drug_shape, color_class1). Its mAP and AP50 are COCO's "
    "computed on that part alone, from the same match table (nothing is matched again); the "
    "note under each table says how the key cuts the data.",
    "slices.caption": "Each value of {attr}: its images and GT boxes, both models' mAP on it, "
    "B − A with its paired bootstrap interval ({n} resamples), p (gap): whether B − A here "
    "differs from B − A on the other slices, p (Holm): corrected for this key's slices.",
    "slices.eval_caption": "mAP and AP50 on each value of {attr}.",
    "slices.finding.item": "{label} (B − A {delta}, Holm p {p})",
    "slices.finding.gap_differs": "The gap between {b} and {a} is not the same on every {attr} "
    "slice: {slices}, Holm-corrected at {alpha:.0%}.",
    "slices.finding.no_evidence": "No evidence at {alpha:.0%} that the gap between {b} and {a} "
    "differs between {attr} slices (smallest Holm-corrected p: {p}).",
    "slices.finding.not_tested.no_bootstrap": "Whether the gap between {b} and {a} differs "
    "between {attr} slices was not tested: no bootstrap was run (0 resamples).",
    "slices.finding.not_tested.few_slices": "Whether the gap between {b} and {a} differs between "
    "{attr} slices was not tested: fewer than two slices have GT boxes and at least {min} images.",
    "slices.mode.image": "{attr}: each slice is a set of images, and its mAP is the COCO mAP on "
    "those images alone (pycocotools with imgIds = those images).",
    "slices.mode.category": "{attr} is the same for every box of a class, so each slice is a set "
    "of classes and its mAP is the mean AP over those classes (pycocotools with catIds = those "
    "classes).",
    "slices.mode.annotation": "{attr} varies within classes and within images, so each slice is a "
    "set of boxes: GT boxes outside it are ignored (as COCO ignores boxes outside an area "
    "range), a detection matched to one of them is ignored, and a detection that matched "
    "nothing counts in the slice of its predicted class's most frequent value. Nothing is "
    "matched again: a detection that matched an ignored box is not given another.",
    "slices.code.binned": "{attr} has many values: they are grouped into ranges here.",
    "slices.code.attribute_missing": "Some boxes have no {attr}: they form the slice n/a.",
    "slices.code.attribute_varies_within_class": "{attr} is not the same for every box of a class.",
    "slices.code.images_without_value": "Images without GT boxes have no {attr}: they are in no "
    "slice, and their detections count in none.",
    "slices.too_small": "A slice with fewer than {min} images gets neither an interval nor a test "
    "(a bootstrap of so few images has no spread to measure); it still counts in the other "
    "slices' rest.",
    "col.slice_gt": "GT boxes",
    "col.p_gap": "p (gap)",
    "col.p_gap_holm": "p (Holm)",
}
