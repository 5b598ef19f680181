"""What checking every combination costs, measured: ``uv run python benchmarks/matrix.py``.

Prints, for the template as it is on disk:

- the size of the matrix: combinations, distinct files across all of them, distinct
  test-relevant renderings (= generated suites the harness runs) and dependency sets;
- the bare cookiecutter render of a combination and the harness's cost of baking and
  checking it (engine/verdicts/checks.py, what tests/test_matrix.py runs per item), on one sample,
  in one run, and their ratio;
- the naive approach (each combination: bake, fresh virtual environment, install, run
  its suite) against the harness on a fixed sample of combinations, timed side by side.

The harness runs a rendering's suite once for every combination that shares it, so its
cost for one combination is its bake-and-check plus its rendering's suite run divided by
the number of combinations in the whole product that share that rendering (amortised, as
in the real run); the sample-alone figure, sharing only inside the sample, is printed too.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import os
import random
import shutil
import statistics
import tempfile
import time
import tomllib
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from pytest_cookies.plugin import Cookies

from engine.ground import RUNNING_PYTHON, TEMPLATE, Combination, combination_id, combinations
from engine.runs.projects import Project, cache_template_work, dependency_key, render
from engine.runs.suites import Runners, check_rendering
from engine.verdicts.checks import CombinationChecker
from engine.verdicts.matrix import fingerprint, twin, twins

SEED = 20261123


def _cookies(root: Path) -> Cookies:
    config = root / "cookiecutter-config.yaml"
    config.write_text(f"cookiecutters_dir: {root / 'cc'}\nreplay_dir: {root / 'replay'}\n")
    outputs = root / "bakes"
    outputs.mkdir()

    def factory(name: str) -> Path:
        path = outputs / name
        path.mkdir()
        return path

    return Cookies(str(TEMPLATE), factory, config)


def _distinct_files(chunk: list[Combination]) -> set[str]:
    """Bake each combination; return hashes of (path, content) of every file."""
    cache_template_work()
    found: set[str] = set()
    with tempfile.TemporaryDirectory() as tmp:
        for number, combo in enumerate(chunk):
            project = render(Path(tmp) / str(number), **combo)
            for path in project.rglob("*"):
                if path.is_file():
                    name = path.relative_to(project).as_posix().encode()
                    found.add(hashlib.sha256(name + b"\0" + path.read_bytes()).hexdigest())
            shutil.rmtree(project.parent)
    return found


def count_distinct_files(every: list[Combination], workers: int) -> int:
    chunks = [every[i::workers] for i in range(workers)]
    with ProcessPoolExecutor(workers) as pool:
        return len(set().union(*pool.map(_distinct_files, chunks)))


def timed(action: Callable[[], Any]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def bare_renders(sample: list[Combination]) -> list[float]:
    """Stock cookiecutter (no compile cache), in a fresh process, one bake per combination."""
    seconds = []
    with tempfile.TemporaryDirectory() as tmp:
        for number, combo in enumerate(sample):
            output = Path(tmp) / str(number)
            seconds.append(timed(functools.partial(render, output, **combo)))
            shutil.rmtree(output)
    return seconds


def naive(root: Path, combo: Combination) -> float:
    """Each combination on its own: bake, fresh virtual environment, install, its pytest."""
    output = Path(tempfile.mkdtemp(dir=root))
    start = time.perf_counter()
    runnable = twin(combo)  # the runnable twin: only one Python here
    project = Project(render(output, **runnable), combination_id(runnable))
    project.run(["uv", "venv", "--quiet", "--python", RUNNING_PYTHON, ".venv"])
    project.sync()
    project.pytest()
    seconds = time.perf_counter() - start
    shutil.rmtree(output)
    return seconds


def rendering_shares(every: Iterable[Combination], fingerprints: dict[str, str]) -> Counter[str]:
    """How many combinations of the whole product share each rendering."""
    return Counter(fingerprints[combination_id(twin(combo))] for combo in every)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--render-sample", type=int, default=200)
    parser.add_argument("--naive-sample", type=int, default=24)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    if args.naive_sample < 20:
        parser.error("--naive-sample must be at least 20")

    every = list(combinations())
    rng = random.Random(SEED)
    root = Path(tempfile.mkdtemp(prefix="matrix-bench-"))
    print(f"template: {TEMPLATE}")
    print(f"combinations: {len(every)}")

    start = time.perf_counter()
    distinct_files = count_distinct_files(every, args.workers)
    print(
        f"distinct files (path and content): {distinct_files}  "
        f"[{time.perf_counter() - start:.0f} s to bake all on {args.workers} processes]"
    )

    cookies = _cookies(root)
    fingerprints: dict[str, str] = {}
    representatives: dict[str, Path] = {}
    packages: dict[str, str] = {}
    dependency_sets: set[str] = set()
    for combo in twins():
        result = cookies.bake(extra_context=combo)
        project = result.project_path
        digest = fingerprint(project)
        fingerprints[combination_id(combo)] = digest
        representatives.setdefault(digest, project)
        packages.setdefault(digest, result.context["package_name"])
        pyproject = tomllib.loads((project / "pyproject.toml").read_text("utf-8"))
        dependency_sets.add(dependency_key(pyproject))
    shares = rendering_shares(every, fingerprints)
    print(f"distinct generated suites (test-relevant renderings): {len(shares)}")
    print(f"dependency sets (virtual environments): {len(dependency_sets)}")

    # Bare render against the harness's bake-and-check, same combinations, one run.
    sample = rng.sample(every, args.render_sample)
    with ProcessPoolExecutor(1) as pool:
        bare = pool.submit(bare_renders, sample).result()
    cache_template_work()  # as tests/conftest.py does for the harness
    checker = CombinationChecker()
    for combo in twins():  # the steady state of a worker: twins known, caches warm
        checker._twin_fingerprint(cookies.bake, combo)
    harness = [timed(functools.partial(checker.check, cookies.bake, combo)) for combo in sample]
    bare_mean, harness_mean = statistics.mean(bare), statistics.mean(harness)
    print(
        f"bare cookiecutter render per combination: {bare_mean * 1000:.1f} ms "
        f"(median {statistics.median(bare) * 1000:.1f} ms, n={len(sample)})"
    )
    print(
        f"harness bake-and-check per combination: {harness_mean * 1000:.1f} ms "
        f"(median {statistics.median(harness) * 1000:.1f} ms) = "
        f"{harness_mean / bare_mean:.2f}x the bare render"
    )

    # Naive against harness on a fixed sample, side by side.
    naive_sample = rng.sample(every, args.naive_sample)
    naive_seconds = [naive(root, combo) for combo in naive_sample]
    # The harness's own suite step (engine/runs/suites.py): a warm runner per environment,
    # its seeded runs, lint once per source tree; cold caches included.
    runners = Runners()
    workdir, claims = root / "suites", root / "claimed"
    claims.mkdir()
    suite_seconds: dict[str, float] = {}
    check_seconds = 0.0
    for combo in naive_sample:
        check_seconds += timed(functools.partial(checker.check, cookies.bake, combo))
        digest = fingerprints[combination_id(twin(combo))]
        if digest not in suite_seconds:
            suite_seconds[digest] = timed(
                functools.partial(
                    check_rendering,
                    representatives[digest],
                    combination_id(twin(combo)),
                    packages[digest],
                    digest,
                    workdir,
                    claims,
                    runners,
                )
            )
    runners.close()
    amortised = check_seconds + sum(
        suite_seconds[fingerprints[combination_id(twin(combo))]] / shares[fingerprints[combination_id(twin(combo))]]
        for combo in naive_sample
    )
    alone = check_seconds + sum(suite_seconds.values())
    total_naive = sum(naive_seconds)
    print(f"naive sample: {len(naive_sample)} combinations, {len(suite_seconds)} distinct suites")
    print(
        f"naive (bake, fresh venv, install, suite): {total_naive:.1f} s "
        f"({total_naive / len(naive_sample):.2f} s per combination)"
    )
    print(f"harness, amortised as in the full run: {amortised:.1f} s -> {total_naive / amortised:.1f}x cheaper")
    print(f"harness, this sample alone: {alone:.1f} s -> {total_naive / alone:.1f}x cheaper")
    shutil.rmtree(root)


if __name__ == "__main__":
    main()
