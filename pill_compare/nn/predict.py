"""Run a trained detector over a folder of images: COCO detections with the dataset's own ids.

:func:`predict` loads a checkpoint written by :func:`pill_compare.nn.checkpoint.save_checkpoint`
(the model, its :class:`~pill_compare.nn.detector.CategoryMap` and its config), runs it in eval
mode under ``torch.inference_mode`` over every image, and returns :class:`~pill_compare.core.Detections`
that pillcmp's writers (:func:`pill_compare.prep.convert.coco_results_text`,
:func:`~pill_compare.prep.convert.submission_csv_text`) write as COCO results or the submission CSV:

* category ids are the dataset's (K-codes such as 1899, 25366), mapped back from the model's
  contiguous labels by the checkpoint's category map, never label indices;
* image ids come from the ground truth (each GT image's file found with
  :func:`~pill_compare.io.images.resolve_image`) or, without one, from numeric file stems
  (``17.png`` is image 17);
* boxes are COCO ``xywh`` in the ground truth's pixel coordinates: when an image file is a
  downscaled copy of its GT size (``data/sample/images`` are 0.25 x the GT's 976x1280), the
  boxes found on the file are divided by the file size / GT size, as
  :class:`~pill_compare.nn.data.DetectionDataset` multiplies GT boxes by it for training.
* boxes without area (torchvision clips boxes to the image, and one past an edge can come back
  with w or h = 0) are left out and counted: COCO results need w, h > 0.

Every input problem is found before the model runs: a missing or unreadable image, a file whose
aspect ratio does not fit its GT size, a non-numeric stem without a ground truth.
"""

from __future__ import annotations

import math
import os
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from pill_compare.core import Annotations, Detections, GroundTruth, Images, expect_type
from pill_compare.errors import ConfigError, ConsistencyError, InputFormatError
from pill_compare.io.files import display_path
from pill_compare.io.images import IMAGE_EXTENSIONS

if TYPE_CHECKING:
    import torch

__all__ = [
    "BEST_CHECKPOINT",
    "PredictResult",
    "detect",
    "predict",
    "resolve_weights",
    "stem_ground_truth",
]

#: The checkpoint taken from a run folder (``train`` writes ``best.pt`` and ``last.pt``).
BEST_CHECKPOINT = "best.pt"
#: How many files an error lists by name.
LISTED = 5
DEVICES = ("auto", "cpu", "cuda")
_NUMERIC_STEM = re.compile(r"[0-9]{1,18}")


@dataclass(frozen=True)
class PredictResult:
    """What :func:`predict` found and how fast.

    Attributes:
        detections: COCO ``xywh`` boxes in GT coordinates, the dataset's category ids; sorted by
            image (in the order run) then score, highest first. ``name`` is the backbone,
            ``source`` the checkpoint.
        images: Images run.
        seconds: Wall time of the run over the images (reading, decoding and the model; not
            loading the checkpoint).
        images_per_second: ``images / seconds``.
        device: The device it ran on (``cpu``, ``cuda``, ``cuda:1``).
        weights: The checkpoint file used.
        dropped: Boxes left out because they have no area (w or h = 0: torchvision clips
            boxes to the image, and COCO results need w, h > 0), among those scoring
            ``>= score_thr``.
        warnings: Legal but suspicious findings (e.g. model categories the GT does not declare).
    """

    detections: Detections
    images: int
    seconds: float
    images_per_second: float
    device: str
    weights: str
    dropped: int = 0
    warnings: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The counts and timings, JSON-ready (the detections themselves are left out)."""
        return {
            "images": self.images,
            "detections": len(self.detections),
            "seconds": self.seconds,
            "images_per_second": self.images_per_second,
            "device": self.device,
            "weights": self.weights,
            "dropped": self.dropped,
            "warnings": list(self.warnings),
        }


def resolve_weights(weights: str | os.PathLike[str]) -> Path:
    """The checkpoint file: ``weights`` itself, or ``best.pt`` inside a run folder.

    Raises:
        InputFormatError: no such file, or a folder without ``best.pt`` (the message lists the
            ``.pt`` files it has).
    """
    path = Path(weights)
    if path.is_dir():
        best = path / BEST_CHECKPOINT
        if best.is_file():
            return best
        found = sorted(p.name for p in path.glob("*.pt"))
        hint = f"; it has {', '.join(found[:LISTED])}: name one" if found else ""
        raise InputFormatError(
            f"{display_path(path)}: a run folder without {BEST_CHECKPOINT}{hint}"
        )
    if not path.exists():
        raise InputFormatError(
            f"{display_path(path)}: no such checkpoint (expected a .pt file written by training, "
            "or its run folder)"
        )
    return path


def stem_ground_truth(images_dir: str | os.PathLike[str]) -> GroundTruth:
    """The images of a folder as a ground truth without annotations: ids from numeric stems.

    Every image file directly in ``images_dir`` (extensions
    :data:`~pill_compare.io.images.IMAGE_EXTENSIONS`, any case) is one image, its id the stem
    (``17.png`` is image 17), its ``file_name`` the file's name, its size unknown (boxes stay in
    the file's pixels); sorted by id; no categories.

    Raises:
        InputFormatError: ``images_dir`` is not a folder, or holds no image file.
        ConsistencyError: stems that are not numbers (the message names the first few and
            suggests a ground truth), or two files with the same id (``7.png``, ``007.jpg``).
    """
    root = Path(images_dir)
    shown = display_path(root)
    _check_folder(root)
    extensions = {f".{e}" for e in IMAGE_EXTENSIONS}
    files = sorted(p for p in root.iterdir() if p.suffix.lower() in extensions and p.is_file())
    if not files:
        raise InputFormatError(
            f"{shown}: no image files (expected {', '.join(IMAGE_EXTENSIONS)} files)"
        )
    named = [p for p in files if not _NUMERIC_STEM.fullmatch(p.stem)]
    if named:
        raise ConsistencyError(
            f"{shown}: {len(named)} of {len(files)} image file names are not image ids "
            "(numeric stems such as 17.png); give the ground truth, whose file_name gives "
            "each image's id",
            [display_path(p.name) for p in named[:LISTED]],
            len(named),
        )
    by_id: dict[int, list[Path]] = {}
    for p in files:
        by_id.setdefault(int(p.stem), []).append(p)
    twice = [ps for ps in by_id.values() if len(ps) > 1]
    if twice:
        raise ConsistencyError(
            f"{shown}: {len(twice)} image id(s) have more than one file; keep one per id",
            [", ".join(display_path(p.name) for p in ps) for ps in twice[:LISTED]],
            len(twice),
        )
    ids = sorted(by_id)
    unknown = np.full(len(ids), np.nan)
    return GroundTruth(
        images=Images(
            id=ids, file_name=[by_id[i][0].name for i in ids], width=unknown, height=unknown
        ),
        annotations=Annotations(
            id=[], image_id=[], category_id=[], bbox=np.zeros((0, 4)), area=[], iscrowd=[]
        ),
        categories=(),
        source=shown,
    )


def _check_folder(root: Path) -> None:
    if not root.is_dir():
        raise InputFormatError(
            f"{display_path(root)}: not a folder (expected a folder of image files)"
        )


def _check_arguments(score_thr: float, max_per_image: int, batch_size: int, device: str) -> None:
    if isinstance(score_thr, bool) or not isinstance(score_thr, int | float):
        raise TypeError(f"Expected score_thr to be a float, got {type(score_thr).__name__}")
    if not (math.isfinite(score_thr) and 0 <= score_thr <= 1):
        raise ConfigError(f"must be a score in [0, 1], got {score_thr}", param="score_thr")
    for name, value in (("max_per_image", max_per_image), ("batch_size", batch_size)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"Expected {name} to be an int, got {type(value).__name__}")
        if value < 1:
            raise ConfigError(f"must be at least 1, got {value}", param=name)
    expect_type(device, str, "device")


def _torch_device(device: str) -> torch.device:
    """'auto' → cuda when available, else cpu; 'cuda' without a GPU is refused."""
    import torch

    name = device.strip().lower()
    if name == "auto":
        name = "cuda" if torch.cuda.is_available() else "cpu"
    if name != "cpu" and not re.fullmatch(r"cuda(:[0-9]+)?", name):
        raise ConfigError(
            f"must be one of {', '.join(DEVICES)} (or cuda:N), got {device!r}", param="device"
        )
    if name.startswith("cuda"):
        if not torch.cuda.is_available():
            raise ConfigError(
                "CUDA is not available here (no GPU, or a torch built without CUDA); use cpu",
                param="device",
            )
        index = int(name.partition(":")[2] or 0)
        if index >= torch.cuda.device_count():
            raise ConfigError(
                f"{name}: this machine has {torch.cuda.device_count()} GPU(s)", param="device"
            )
    return torch.device(name)


def _open_limits(detector: Any, score_thr: float, max_per_image: int) -> None:
    """Let the torchvision head keep what predict asks for: it filters by its own
    ``score_thresh`` / ``detections_per_img`` first (RetinaNet on itself, Faster R-CNN on
    its ``roi_heads``), and with ``score > score_thresh``, where predict keeps ``>=``; so the
    head's threshold goes just below ``score_thr`` (the float32 below it: the scores are
    float32) and predict then applies ``score_thr`` and ``max_per_image`` exactly."""
    below = float(np.nextafter(np.float32(score_thr), np.float32(-np.inf)))
    for part in (detector.model, getattr(detector.model, "roi_heads", None)):
        if part is not None and hasattr(part, "score_thresh"):
            part.score_thresh = below
            part.detections_per_img = max_per_image


def predict(
    weights: str | os.PathLike[str],
    images_dir: str | os.PathLike[str],
    *,
    gt: GroundTruth | None = None,
    score_thr: float = 0.05,
    max_per_image: int = 100,
    device: str = "cpu",
    batch_size: int = 4,
    progress: Callable[[int, int], None] | None = None,
) -> PredictResult:
    """Run a trained detector over a folder of images.

    Args:
        weights: A checkpoint (``best.pt``, ``last.pt``) or a run folder (its ``best.pt``).
        images_dir: The folder of images.
        gt: When given, its images are run (found by ``file_name``) with its ids, and boxes are
            scaled back to its ``width`` x ``height`` when a file is a resized copy; without it,
            every image file in the folder, its id the numeric file stem.
        score_thr: Keep detections with ``score >= score_thr`` (0 keeps every one the head
            returns).
        max_per_image: Keep at most this many detections per image, the highest scores.
        device: ``"cpu"``, ``"cuda"`` (``"cuda:N"``) or ``"auto"`` (cuda when available).
        batch_size: Images per forward pass.
        progress: Called as ``progress(images_done, images_total)`` before the first batch and
            after each.

    Returns:
        A :class:`PredictResult`.

    Raises:
        InputFormatError: the checkpoint is missing, corrupt or does not fit its model; the
            folder is missing, empty or has an unreadable image.
        ConsistencyError: GT images without a file in the folder, a file whose aspect ratio
            differs from its GT size's by more than 2 %; without ``gt``, as
            :func:`stem_ground_truth` raises it.
        ConfigError: ``score_thr`` outside [0, 1], ``max_per_image`` or ``batch_size`` < 1, an
            unknown device or CUDA where none is available.

    Example:
        >>> result = predict("runs/resnet101", "data/sample/images",
        ...                  gt=load_ground_truth("data/sample/ground_truth.json"))  # doctest: +SKIP
        >>> Path("resnet101.json").write_text(coco_results_text(result.detections))  # doctest: +SKIP
    """
    _check_arguments(score_thr, max_per_image, batch_size, device)
    target = _torch_device(device)
    if gt is not None:
        expect_type(gt, GroundTruth, "gt")
    checkpoint = resolve_weights(weights)
    _check_folder(Path(images_dir))
    truth = gt if gt is not None else stem_ground_truth(images_dir)
    if len(truth.images) == 0:
        raise ConsistencyError(f"{truth.source or 'the ground truth'}: has no image to run on")

    import torch

    from pill_compare.nn.checkpoint import load_detector
    from pill_compare.nn.data import DetectionDataset, collate_detection, eval_transforms

    # Finds every file and reads every size now: a missing or misfit image fails before the
    # model is loaded. Its boxes (the GT's, scaled to the file) are not used here.
    dataset = DetectionDataset(truth, images_dir, transforms=eval_transforms())
    detector = load_detector(checkpoint, map_location="cpu")
    detector.eval().to(target)
    _open_limits(detector, score_thr, max_per_image)
    loader = torch.utils.data.DataLoader(
        dataset, batch_size=batch_size, shuffle=False, collate_fn=collate_detection
    )

    total = len(dataset)
    start = time.perf_counter()
    detections, dropped = detect(
        detector, loader, target, score_thr=score_thr, max_per_image=max_per_image,
        progress=progress,
    )  # fmt: skip
    seconds = time.perf_counter() - start
    detections = replace(detections, source=display_path(checkpoint))
    return PredictResult(
        detections=detections,
        images=total,
        seconds=seconds,
        images_per_second=total / seconds if seconds > 0 else math.inf,
        device=str(target),
        weights=display_path(checkpoint),
        dropped=dropped,
        warnings=_category_warnings(detector.config.category_ids, gt),
    )


def detect(
    detector: Any,
    loader: Any,
    device: Any,
    *,
    score_thr: float,
    max_per_image: int,
    autocast: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[Detections, int]:
    """Run ``detector`` over ``loader`` (a DataLoader of a :class:`DetectionDataset` with
    :func:`collate_detection`): the detections in the GT's pixels (:func:`_keep`) and how many
    zero-area boxes were left out. ``predict`` and the training's validation both call it, so
    validation scores exactly what ``pillcmp predict`` would write.

    The detector is left in eval mode; ``autocast`` runs it under bfloat16 autocast.
    """
    import torch

    detector.eval()
    rows: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
    total, done, dropped = len(loader.dataset), 0, 0
    if progress is not None:
        progress(0, total)
    with (
        torch.inference_mode(),
        torch.autocast(device_type=device.type, dtype=torch.bfloat16, enabled=autocast),
    ):
        for images, targets in loader:
            outputs = detector([image.to(device) for image in images])
            for image, info, out in zip(images, targets, outputs, strict=True):
                kept, zero = _keep(info, tuple(image.shape[-2:]), out, score_thr, max_per_image)
                rows.append(kept)
                dropped += zero
            done += len(images)
            if progress is not None:
                progress(done, total)
    detections = Detections(
        image_id=np.concatenate([r[0] for r in rows]),
        category_id=np.concatenate([r[1] for r in rows]),
        bbox=np.concatenate([r[2] for r in rows]),
        score=np.concatenate([r[3] for r in rows]),
        name=detector.config.backbone,
    )
    return detections, dropped


def _keep(
    info: dict[str, Any],
    size: tuple[int, int],
    out: dict[str, torch.Tensor],
    score_thr: float,
    max_per_image: int,
) -> tuple[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray], int]:
    """One image's detections: xywh in GT pixels, zero-area boxes dropped, thresholded,
    capped, highest score first; and how many zero-area boxes were dropped.

    ``info`` is the dataset's target (its ``image_id`` and ``scale``), ``size`` the file's
    ``(height, width)``. torchvision clips boxes to the image, so a box beyond an edge can
    come back with no width or height: COCO results must have w, h > 0, so it is dropped
    (before the cap: ``max_per_image`` counts real boxes). Boxes are clipped to the GT image
    again after scaling, so float32 rounding cannot put an edge past it (976.00006).
    """
    scores = out["scores"].detach().float().cpu().numpy().astype(np.float64)
    boxes = out["boxes"].detach().float().cpu().numpy().astype(np.float64).reshape(-1, 4)
    ids = out["category_ids"].detach().cpu().numpy().astype(np.int64)
    sx, sy = info["scale"]
    height, width = size
    xyxy = np.clip(boxes / np.array([sx, sy, sx, sy]), 0.0, np.array([width / sx, height / sy] * 2))
    xywh = np.column_stack([xyxy[:, :2], xyxy[:, 2:] - xyxy[:, :2]])
    real = (xywh[:, 2] > 0) & (xywh[:, 3] > 0)
    order = np.argsort(-scores, kind="stable")
    order = order[real[order] & (scores[order] >= score_thr)][:max_per_image]
    dropped = int((~real & (scores >= score_thr)).sum())
    rows = (np.full(order.size, info["image_id"], np.int64), ids[order], xywh[order], scores[order])
    return rows, dropped


def _category_warnings(model_ids: Sequence[int], gt: GroundTruth | None) -> tuple[str, ...]:
    if gt is None:
        return ()
    unknown = sorted(set(int(c) for c in model_ids) - set(gt.category_ids.tolist()))
    if not unknown:
        return ()
    shown = ", ".join(map(str, unknown[:LISTED])) + (" ..." if len(unknown) > LISTED else "")
    return (
        f"the model predicts {len(unknown)} category id(s) that {gt.source or 'the ground truth'} "
        f"does not declare ({shown}): it was trained on other categories; evaluation leaves "
        "such detections out",
    )
