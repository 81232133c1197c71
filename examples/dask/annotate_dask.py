"""Annotate JSONL files with newsmark on a Dask distributed cluster.

The `newsmark annotate` binary is a filter, JSONL in and JSONL out, so Dask
needs no newsmark code at all: `dask.bag.read_text` cuts the input files into
partitions of lines, each partition is piped through the binary as a
subprocess on whichever worker Dask picks, and the results are written as one
JSONL file per partition (in input order, partition by partition).

Here the cluster is a `distributed.LocalCluster` (worker processes on this
machine); the same script runs on a real cluster by passing `--scheduler
ADDRESS` instead, the binary being installed on every worker
(`cargo install --path cli`).

    python annotate_dask.py --binary target/release/newsmark \
        --out target/dask/out ../shared/data/ontonotes/dev.jsonl

It ends by checking that every input line came back once, with its id, in
order, and prints one JSON summary line.
"""

import argparse
import glob
import json
import os
import subprocess
import sys
import time

import dask
import dask.bag as db
import distributed
from dask.distributed import Client, LocalCluster


def annotate_partition(lines, binary, threads):
    """Pipes one partition of JSONL lines through `newsmark annotate`."""
    data = "".join(line if line.endswith("\n") else line + "\n" for line in lines)
    run = subprocess.run(
        [binary, "annotate", "--jsonl", "--quiet", "--threads", str(threads)],
        input=data.encode("utf-8"),
        capture_output=True,
        check=False,
    )
    if run.returncode != 0:
        raise RuntimeError(
            f"newsmark annotate exited with {run.returncode}: "
            + run.stderr.decode("utf-8", "replace").strip()
        )
    return run.stdout.decode("utf-8").splitlines()


def ids_of(paths):
    """The ids of the non-blank JSONL lines of `paths`, in order."""
    ids = []
    for path in paths:
        with open(path, encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    ids.append(json.loads(line).get("id"))
    return ids


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("inputs", nargs="+", help="JSONL files of {\"id\", \"text\"} lines")
    p.add_argument("--binary", required=True, help="the newsmark binary (on every worker)")
    p.add_argument("--out", required=True, help="directory for the output, one part-N.jsonl per partition")
    p.add_argument("--workers", type=int, default=2, help="LocalCluster worker processes (default 2)")
    p.add_argument("--threads", type=int, default=1, help="--threads of each newsmark run (default 1)")
    p.add_argument("--blocksize", default="1MiB", help="bytes of input per partition (default 1MiB)")
    p.add_argument("--scheduler", help="an existing scheduler's address instead of a LocalCluster")
    a = p.parse_args()

    binary = os.path.abspath(a.binary)
    os.makedirs(a.out, exist_ok=True)
    for old in glob.glob(os.path.join(a.out, "part-*.jsonl")):
        os.remove(old)
    started = time.perf_counter()
    if a.scheduler:
        cluster = None
        client = Client(a.scheduler)
    else:
        cluster = LocalCluster(
            n_workers=a.workers,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
        )
        client = Client(cluster)
    try:
        cluster_s = time.perf_counter() - started
        lines = db.read_text(a.inputs, blocksize=a.blocksize)
        lines = lines.filter(lambda line: line.strip() != "")
        records = lines.map_partitions(annotate_partition, binary, a.threads)
        t = time.perf_counter()
        written = records.to_textfiles(
            os.path.join(a.out, "part-*.jsonl"),
            name_function=lambda i: f"{i:05d}",
            last_endline=True,
        )
        annotate_s = time.perf_counter() - t
        partitions = records.npartitions
        workers = len(client.scheduler_info()["workers"])
    finally:
        client.close()
        if cluster is not None:
            cluster.close()

    ids_in = ids_of(a.inputs)
    ids_out = ids_of(sorted(written))
    summary = {
        "documents_in": len(ids_in),
        "documents_out": len(ids_out),
        "ids_round_trip": ids_in == ids_out,
        "partitions": partitions,
        "workers": workers,
        "cluster_start_s": round(cluster_s, 2),
        "annotate_s": round(annotate_s, 2),
        "dask": dask.__version__,
        "distributed": distributed.__version__,
        "out": a.out,
    }
    print(json.dumps(summary))
    if ids_in != ids_out:
        missing = len(set(map(json.dumps, ids_in)) - set(map(json.dumps, ids_out)))
        print(f"error: the ids did not round-trip ({missing} missing)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
