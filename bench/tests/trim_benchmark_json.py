#!/usr/bin/python3
"""trim_benchmark_json.py: makes a small report fixture from an echo_benchmark JSON.

Usage: /usr/bin/python3 bench/tests/trim_benchmark_json.py IN.json OUT.json [VARIANT...]

Keeps what make_report.py and compare.py read of each repetition (its names, type, error, time
and counters; make_report.py computes medians and cvs itself when the aggregates are absent)
with 4 significant digits, the churn
cells of the listed --variant labels only; bench/testdata/benchmark_smoke.json was made this way
from a `ci/bench --smoke --link-modes` run (with the variant `shared`).
"""
import json
import sys

KEEP = ("name", "run_name", "run_type", "error_occurred", "error_message", "real_time",
        "cpu_time", "time_unit")
COUNTERS = ("rt_per_s", "conn_per_s", "delivered_per_s", "p50_us", "p99_us", "fair_min",
            "fair_max", "server_cpu_us_per_op", "parent_cpu_us_per_op", "server_cpu_cores",
            "gen_cpu_cores", "other_cpu_cores", "load1", "peak_children", "peak_rss_kib",
            "parent_rss_kib", "parent_maps", "zombies", "errors", "loss", "s_per_fork", "maps")


def rounded(value):
    return float(f"{value:.4g}") if isinstance(value, float) else value


def main():
    src, dst, variants = sys.argv[1], sys.argv[2], sys.argv[3:]
    with open(src) as f:
        data = json.load(f)
    kept = []
    for b in data["benchmarks"]:
        model = b["run_name"].split("/")[1]
        if "@" in model and (model.split("@", 1)[1] not in variants or
                             not b["run_name"].startswith("churn/")):
            continue
        if b.get("run_type") == "aggregate":
            continue
        kept.append({k: rounded(b[k]) for k in KEEP + COUNTERS if k in b})
    context = data["context"]
    listed = [v.split("=", 1)[0] + "=build/link-" + v.split("=", 1)[0] + "/bin"
              for v in context.get("netref_variants", "none").split()
              if v.split("=", 1)[0] in variants]
    context["netref_variants"] = " ".join(listed) or "none"
    context.pop("caches", None)
    with open(dst, "w") as f:  # One benchmark a line, so a fixture's diff reads.
        f.write('{"context": ' + json.dumps(context, sort_keys=True) + ',\n"benchmarks": [\n')
        f.write(",\n".join(json.dumps(b, sort_keys=True, separators=(",", ":")) for b in kept))
        f.write("\n]}\n")


if __name__ == "__main__":
    main()
