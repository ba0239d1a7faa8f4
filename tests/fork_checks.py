"""Run by tests/test_parallel.py in a fresh interpreter (one thread, so forking is
allowed): each check prints one JSON line ``{"check": name, ...}``."""

import json
import os
import signal
import sys
import time
from pathlib import Path

from pill_compare.parallel import in_background, start_all, threads

PARENT = os.getpid()


class Picky(Exception):
    """Pickles (by reference to this module), but unpickling calls ``Picky(message)``: fails."""

    def __init__(self, code, detail):
        super().__init__(f"{code}: {detail}")


def report(check, **values):
    print(json.dumps({"check": check, **values}), flush=True)


def report_raised(check, job, error=ValueError):
    """Report the message of the exception ``job.result()`` raises (None if none)."""
    try:
        job.result()
        report(check, raised=None)
    except error as exc:
        report(check, raised=str(exc), forked=job.forked)


def killed_in_a_child(value):
    """A task that kills its process in a child and returns ``value`` in the parent."""

    def task():
        if os.getpid() != PARENT:
            os.kill(os.getpid(), signal.SIGKILL)
        return value

    return task


def main():
    job = in_background(lambda: (os.getpid(), [1, 2, 3]))
    pid, value = job.result()
    report("value", forked=job.forked, other_pid=pid != PARENT, value=value)

    def fails():
        raise ValueError("bad threshold 7")

    report_raised("error", in_background(fails))

    job = in_background(killed_in_a_child("run again here"))
    report("killed", value=job.result(), forked=job.forked)

    def exits_without_an_answer():
        if os.getpid() != PARENT:
            os._exit(0)  # a clean exit, but nothing written
        return "run again here"

    job = in_background(exits_without_an_answer)
    report("silent", value=job.result(), forked=job.forked)

    job = in_background(lambda: lambda: 5)  # a lambda cannot be pickled back
    report("unpicklable", value=job.result()(), forked=job.forked)

    def raises_picky():
        raise Picky(7, "bad row")

    report_raised("picky", in_background(raises_picky), Picky)

    def arrays():  # contiguous arrays go out of band; a strided one and a str inside the pickle
        import numpy as np

        big = np.arange(3_000_000, dtype=np.float64)
        return {"big": big, "strided": big[::7], "ints": np.arange(5), "name": "x"}

    job = in_background(arrays)
    got, want = job.result(), arrays()
    report(
        "arrays",
        forked=job.forked,
        same=all((got[k] == want[k]).all() for k in ("big", "strided", "ints")),
        writable=all(got[k].flags.writeable for k in ("big", "strided", "ints")),
        name=got["name"],
    )
    got["big"][0] = -1.0  # the parent's own copy-on-write pages: the write stays here

    with threads(1):
        job = in_background(os.getpid)
    report("threads_off", forked=job.forked, here=job.result() == PARENT)
    job = in_background(os.getpid, fork=False)
    report("fork_false", forked=job.forked, here=job.result() == PARENT)

    jobs = start_all(os.getpid, os.getpid)
    pids = [j.result() for j in jobs]
    report("start_all", forked=[j.forked for j in jobs], distinct=len({*pids, PARENT}) == 3)

    start = time.perf_counter()
    job = in_background(lambda: time.sleep(30))
    job.cancel()
    report("cancel", seconds=time.perf_counter() - start, forked=job.forked)

    if len(sys.argv) > 1:  # the sample's results decoded in two halves, one in a child
        import numpy as np

        from pill_compare.io import typed_json

        text = Path(sys.argv[1], "resnet101.json").read_text(encoding="utf-8")
        whole = typed_json.decode_results(text)
        typed_json.PARALLEL_CHARS = 1000
        forks = []
        real_fork = typed_json.in_background

        def watched(task):
            job = real_fork(task)
            forks.append(job.forked)
            return job

        typed_json.in_background = watched
        halves = typed_json.decode_results(text)
        same = all(np.array_equal(whole[k], halves[k]) for k in whole)
        report("decode_halves", same=same, forked=forks)

    if len(sys.argv) > 1:  # the input check in a child beside what comes next
        from pill_compare import load_ground_truth, load_results
        from pill_compare.analysis import diagnosis

        gt = load_ground_truth(sys.argv[1] + "/ground_truth.json")
        raw = {"a": load_results(sys.argv[1] + "/resnet101.json")}
        want = diagnosis.prepare_runs(gt, raw).diagnosis.to_dict()
        diagnosis.FORK_DETECTIONS = 0
        pending = diagnosis.start_prepare_runs(gt, raw)
        forked = pending._diagnosis.forked
        report("prepare", same=pending.result().diagnosis.to_dict() == want, forked=forked)

    if len(sys.argv) > 1:  # the ground truth loaded in a child beside the results
        import pickle

        from pill_compare import load_ground_truth
        from pill_compare.cli import _common

        path = Path(sys.argv[1], "ground_truth.json")
        want = load_ground_truth(path)
        _common.TRUTH_BESIDE_BYTES = 0
        job = _common.start_loading_truth(path, beside=[Path(sys.argv[1], "resnet101.json")])
        got = job.result()
        report("truth_beside", same=pickle.dumps(got) == pickle.dumps(want), forked=job.forked)

    if len(sys.argv) > 1:  # compare on the sample with the bootstrap forced into children
        from pill_compare import compare, load_ground_truth, load_results
        from pill_compare.analysis import significance
        from pill_compare.report.compare_render import compare_json

        gt = load_ground_truth(sys.argv[1] + "/ground_truth.json")
        a = load_results(sys.argv[1] + "/efficientnet_b3.json", gt=gt)
        b = load_results(sys.argv[1] + "/resnet101.json", gt=gt)
        evaluation = sys.modules["pill_compare.analysis.evaluate"]
        evaluation.FORK_DETECTIONS = 0
        forked = json.dumps(evaluation.evaluate(gt, b).to_dict())
        with threads(1):
            serial = json.dumps(evaluation.evaluate(gt, b).to_dict())
        report("evaluate", same=forked == serial)
        significance.FORK_WORK = 0
        forked = compare_json(compare(gt, a, b, n_bootstrap=200))
        with threads(1):
            serial = compare_json(compare(gt, a, b, n_bootstrap=200))
        report("compare", same=json.dumps(forked) == json.dumps(serial))


if __name__ == "__main__":
    main()
