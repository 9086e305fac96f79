"""Where shards run: in this process, in a local pool of processes, or as Ray tasks.

All three call the same `worker.run_shard`, so they differ only in placement and never in what a
shard produces. A shard that raises (a bug, a disk error) is reported as failed with its error and
the others go on; the scan then stops before assembling its outputs, and rerunning the same
command retries only the shards that are not done.

The local pool forks after the guard is built in the parent, so workers share the compiled
snapshot and the sentence-encoder's weights copy-on-write instead of each loading them (as
`kyodaku screen` batch mode does). Ray tasks build theirs once per Ray worker process.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from kyodaku.domain.errors import ConfigurationError
from kyodaku.scan.layout import Shard
from kyodaku.scan.worker import ShardOutcome, WorkerConfig, prepare_worker, run_shard

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ShardFailure:
    """A shard whose scan raised: which, and the error (the scan goes on with the others)."""

    id: str
    name: str
    error: str


ShardDone = ShardOutcome | ShardFailure
Progress = Callable[[int], None]


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {' '.join(str(exc).split())[:300]}"


def _guarded(config: WorkerConfig, shard: Shard, progress: Progress | None = None) -> ShardDone:
    try:
        return run_shard(config, shard, progress)
    except Exception as exc:
        log.error("shard %s failed: %s", shard.name, _describe(exc), exc_info=exc)
        return ShardFailure(shard.id, shard.name, _describe(exc))


# -- local ------------------------------------------------------------------------------------------
_COUNTER = None


def _pool_init(counter) -> None:
    global _COUNTER
    _COUNTER = counter


def _count(n: int) -> None:
    if _COUNTER is not None:
        with _COUNTER.get_lock():
            _COUNTER.value += n


def _pool_shard(args: tuple[WorkerConfig, Shard]) -> ShardDone:
    config, shard = args
    return _guarded(config, shard, _count)


def run_local(
    config: WorkerConfig, shards: Sequence[Shard], workers: int, progress: Progress, samples: Progress
) -> Iterator[ShardDone]:
    """Shards on `workers` processes (or in this one for a single worker or shard). `progress` is
    called per finished shard, `samples` with the number of samples checked since the last call."""
    prepare_worker(config)  # build the guard once, before forking
    if workers <= 1 or len(shards) <= 1 or not hasattr(os, "fork"):
        for shard in shards:
            done = _guarded(config, shard, samples)
            progress(1)
            yield done
        return
    import multiprocessing as mp

    ctx = mp.get_context("fork")
    counter = ctx.Value("q", 0)
    seen = 0
    with ctx.Pool(min(workers, len(shards)), initializer=_pool_init, initargs=(counter,)) as pool:
        pending = pool.imap(_pool_shard, [(config, s) for s in shards])
        finished = 0
        while finished < len(shards):
            try:
                done = pending.next(timeout=0.5)
            except mp.TimeoutError:
                done = None
            now = counter.value
            if now > seen:
                samples(now - seen)
                seen = now
            if done is not None:
                finished += 1
                progress(1)
                yield done


# -- Ray ---------------------------------------------------------------------------------------------
def _ray():
    try:
        import ray
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise ConfigurationError(
            "--executor ray needs Ray: pip install 'kyodaku[ray]' (or 'ray[data]')"
        ) from exc
    return ray


def run_ray(
    config: WorkerConfig,
    shards: Sequence[Shard],
    workers: int,
    address: str | None,
    progress: Progress,
    samples: Progress,
) -> Iterator[ShardDone]:
    """Shards as Ray tasks, one CPU each. Connects to `address` (a running cluster: `auto` or
    `ray://host:port`) or starts a local Ray instance with `workers` CPUs, and shuts it down after.
    Every node must see the dataset and `--out` at the same paths (a shared file system), since a
    task reads its shard and commits its part folder where the driver will merge them."""
    ray = _ray()
    started_here = not ray.is_initialized()
    if started_here:
        kwargs = {"include_dashboard": False, "log_to_driver": False, "configure_logging": False}
        if address:
            ray.init(address=address, **kwargs)
        else:
            ray.init(num_cpus=workers, **kwargs)
    try:
        task = ray.remote(num_cpus=1, max_retries=2)(_guarded)
        config_ref = ray.put(config)
        waiting = {task.remote(config_ref, shard): shard for shard in shards}
        results: dict[str, ShardDone] = {}
        while waiting:
            ready, _ = ray.wait(list(waiting), num_returns=1, timeout=1.0)
            for ref in ready:
                shard = waiting.pop(ref)
                try:
                    done = ray.get(ref)
                except Exception as exc:  # the task's process died (out of memory, node lost)
                    done = ShardFailure(shard.id, shard.name, _describe(exc))
                if isinstance(done, ShardOutcome):
                    samples(done.samples)
                progress(1)
                results[shard.id] = done
                yield done
    finally:
        if started_here:
            ray.shutdown()


def run_shards(
    config: WorkerConfig, shards: Sequence[Shard], progress: Progress, samples: Progress
) -> Iterator[ShardDone]:
    options = config.options
    began = time.perf_counter()
    if options.executor == "ray":
        yield from run_ray(config, shards, options.worker_count, options.ray_address, progress, samples)
    else:
        yield from run_local(config, shards, options.worker_count, progress, samples)
    log.info("%d shards in %.1f s", len(shards), time.perf_counter() - began)
