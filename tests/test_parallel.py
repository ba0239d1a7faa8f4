"""pill_compare.parallel: how many threads, results in task order, and the same numbers with
threads on and off (compare on the sample, every number of its JSON); tasks in child
processes (values, exceptions, a child that dies, cancelling, compare's bootstrap)."""

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

from pill_compare import compare, load_ground_truth, load_results
from pill_compare.errors import ConfigError
from pill_compare.parallel import (
    THREADS_ENV,
    in_background,
    run_parallel,
    start_all,
    thread_count,
    threads,
)
from tests.conftest import SAMPLE


def test_default_is_two_threads_at_most(monkeypatch):
    monkeypatch.delenv(THREADS_ENV, raising=False)
    monkeypatch.setattr("os.cpu_count", lambda: 16)
    assert thread_count() == 2
    monkeypatch.setattr("os.cpu_count", lambda: 1)
    assert thread_count() == 1
    monkeypatch.setattr("os.cpu_count", lambda: None)  # unknown: one
    assert thread_count() == 1


def test_environment_variable_sets_or_turns_off_threads(monkeypatch):
    monkeypatch.setenv(THREADS_ENV, "1")
    assert thread_count() == 1
    monkeypatch.setenv(THREADS_ENV, " 3 ")
    assert thread_count() == 3
    for bad in ("0", "-2", "two", "1.5"):
        monkeypatch.setenv(THREADS_ENV, bad)
        with pytest.raises(ConfigError, match=f"{THREADS_ENV}.*integer >= 1.*got '{bad}'"):
            thread_count()


def test_context_manager_wins_over_the_environment_and_is_undone(monkeypatch):
    monkeypatch.setenv(THREADS_ENV, "1")
    with threads(2):
        assert thread_count() == 2
        with threads(1):
            assert thread_count() == 1
        assert thread_count() == 2
    assert thread_count() == 1
    for bad in (0, 1.0, True, "2"):
        with pytest.raises(ValueError, match="integer >= 1"), threads(bad):
            pass


def test_results_come_in_task_order_from_two_threads():
    # Task 0 waits until task 1 has run: only possible when both run at once.
    started = threading.Event()

    def first():
        assert started.wait(timeout=10)
        return "a"

    def second():
        started.set()
        return "b"

    with threads(2):
        assert run_parallel(first, second) == ["a", "b"]


def test_one_thread_runs_the_tasks_in_order_in_the_caller():
    seen = []
    with threads(1):
        out = run_parallel(lambda: seen.append(threading.get_ident()) or 1, lambda: 2)
    assert out == [1, 2] and seen == [threading.get_ident()]


def test_a_task_runs_its_own_parallel_parts_serially():
    with threads(2):
        inner = run_parallel(lambda: thread_count(), lambda: run_parallel(thread_count))
    assert inner == [1, [1]]


def test_the_first_failure_in_task_order_is_raised():
    def fails(message):
        raise KeyError(message)

    with threads(2), pytest.raises(KeyError, match="first"):
        run_parallel(lambda: 0, lambda: fails("first"), lambda: fails("second"))


def test_numpy_error_state_reaches_the_threads():
    with threads(2), np.errstate(divide="raise"), pytest.raises(FloatingPointError):
        run_parallel(lambda: None, lambda: np.divide(np.ones(1), np.zeros(1)))


def test_compare_gives_the_same_numbers_with_threads_on_and_off():
    gt = load_ground_truth(SAMPLE / "ground_truth.json")
    a = load_results(SAMPLE / "efficientnet_b3.json", gt=gt)
    b = load_results(SAMPLE / "resnet101.json", gt=gt)
    results = []
    for count in (1, 2):
        with threads(count):
            results.append(compare(gt, a, b, n_bootstrap=30, slices=("drug_shape",)))
    serial, threaded = results
    assert json.dumps(serial.to_dict(), sort_keys=True) == json.dumps(
        threaded.to_dict(), sort_keys=True
    )
    for run in ("replicates_a", "replicates_b"):
        for key, values in getattr(serial.bootstrap, run).items():
            assert np.array_equal(values, getattr(threaded.bootstrap, run)[key], equal_nan=True)


@pytest.fixture(scope="module")
def fork_checks():
    """tests/fork_checks.py's lines, run in a fresh single-threaded interpreter
    (pytest-xdist's workers run threads, and then nothing forks)."""
    script = Path(__file__).with_name("fork_checks.py")
    proc = subprocess.run(
        [sys.executable, str(script), str(SAMPLE)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        cwd=Path(__file__).resolve().parents[1],
    )
    return {line["check"]: line for line in map(json.loads, proc.stdout.splitlines())}


linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="forks on Linux only")


@linux_only
def test_a_background_task_runs_in_a_child_and_gives_its_value(fork_checks):
    assert fork_checks["value"] == {
        "check": "value",
        "forked": True,
        "other_pid": True,
        "value": [1, 2, 3],
    }


@linux_only
def test_a_background_task_s_exception_is_raised_by_result(fork_checks):
    assert fork_checks["error"]["raised"] == "bad threshold 7"
    assert fork_checks["error"]["forked"] is True


@linux_only
def test_a_child_that_dies_or_cannot_send_its_result_is_run_again_here(fork_checks):
    assert fork_checks["killed"]["value"] == "run again here"
    assert fork_checks["killed"]["forked"] is True
    assert fork_checks["silent"] == {"check": "silent", "value": "run again here", "forked": True}
    assert fork_checks["unpicklable"]["value"] == 5
    # An exception pickle cannot rebuild is raised again by the task run here, unchanged.
    assert fork_checks["picky"] == {"check": "picky", "raised": "7: bad row", "forked": True}


@linux_only
def test_a_child_s_arrays_come_back_equal_and_writable(fork_checks):
    assert fork_checks["arrays"] == {
        "check": "arrays",
        "forked": True,
        "same": True,
        "writable": True,
        "name": "x",
    }


def test_the_input_check_in_a_child_finds_what_it_finds_here(fork_checks):
    assert fork_checks["prepare"] == {"check": "prepare", "same": True, "forked": True}


def test_threads_off_or_fork_false_run_the_task_here(fork_checks):
    for check in ("threads_off", "fork_false"):
        assert fork_checks[check]["forked"] is False
        assert fork_checks[check]["here"] is True


@linux_only
def test_start_all_gives_each_task_a_child_of_its_own(fork_checks):
    assert fork_checks["start_all"]["forked"] == [True, True]
    assert fork_checks["start_all"]["distinct"] is True


@linux_only
def test_cancel_stops_a_child_at_once(fork_checks):
    assert fork_checks["cancel"]["forked"] is True
    assert fork_checks["cancel"]["seconds"] < 5  # the task sleeps 30 s


@linux_only
def test_the_ground_truth_loaded_in_a_child_is_the_one_loaded_here(fork_checks):
    assert fork_checks["truth_beside"] == {"check": "truth_beside", "same": True, "forked": True}


@linux_only
def test_a_results_file_decoded_in_two_processes_gives_the_same_columns(fork_checks):
    assert fork_checks["decode_halves"] == {
        "check": "decode_halves",
        "same": True,
        "forked": [True],
    }


@linux_only
def test_evaluate_gives_the_same_result_with_part_of_it_in_a_child_process(fork_checks):
    assert fork_checks["evaluate"]["same"] is True


@linux_only
def test_compare_gives_the_same_json_with_the_bootstrap_in_child_processes(fork_checks):
    assert fork_checks["compare"]["same"] is True


def test_with_other_threads_running_nothing_forks():
    # Here (a pytest process, maybe an xdist worker) start a thread of our own: then no fork.
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        job = in_background(os.getpid)
        assert job.forked is False and job.result() == os.getpid()
        jobs = start_all(lambda: 1, lambda: 2)
        assert [j.forked for j in jobs] == [False, False]
        assert [j.result() for j in jobs] == [1, 2]
    finally:
        stop.set()
        other.join()
