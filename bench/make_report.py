#!/usr/bin/python3
"""make_report.py: turns echo_benchmark's Google Benchmark JSON into report/REPORT.md and PNGs.

Usage: /usr/bin/python3 bench/make_report.py report/benchmark.json report/

Reads the median aggregates (every run is repeated; medians resist a noisy neighbour), writes
tables, a short reading of the results and four or five plots. It must not run anything or
re-measure: every number in the report comes from the JSON. Needs Debian's python3-matplotlib.
"""
import json
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

MODELS = ["iterative", "fork", "prefork", "epoll"]
BARE = ["bare_iterative", "bare_fork"]
STYLE = {
    "iterative": dict(color="tab:blue", marker="o"),
    "fork": dict(color="tab:red", marker="s"),
    "prefork": dict(color="tab:orange", marker="^"),
    "epoll": dict(color="tab:green", marker="D"),
    "bare_iterative": dict(color="0.35", marker="x", linestyle="--"),
    "bare_fork": dict(color="0.6", marker="+", linestyle="--"),
}
# The bare (minimal C) server that bounds each model's churn: a model that forks per connection
# is bounded by bare_fork, the others by bare_iterative (accept, echo, close with no fork).
CHURN_LIMIT = {"iterative": "bare_iterative", "fork": "bare_fork",
               "prefork": "bare_iterative", "epoll": "bare_iterative"}


def parse(path):
    with open(path) as f:
        data = json.load(f)
    medians = {}
    for b in data["benchmarks"]:
        if b.get("run_type") != "aggregate" or b.get("aggregate_name") != "median":
            continue
        parts = b["run_name"].split("/")
        workload, model = parts[0], parts[1]
        params = {}
        for p in parts[2:]:
            if ":" in p:
                k, v = p.split(":", 1)
                if k not in ("iterations", "repeats", "min_time"):
                    params[k] = float(v) if "." in v else int(v)
        key = (workload, model) + tuple(sorted(params.items()))
        medians[key] = b
    return data["context"], medians


def get(medians, workload, model, **params):
    return medians.get((workload, model) + tuple(sorted(params.items())))


def fmt(x, digits=3):
    if x is None:
        return "–"
    if abs(x) >= 1e6:
        return f"{x / 1e6:.2f} M"
    if abs(x) >= 1e4:
        return f"{x / 1e3:.1f} k"
    if abs(x) >= 100:
        return f"{x:.0f}"
    return f"{x:.{digits}g}"


def c(b, name):
    return None if b is None else b.get(name)


def axis_values(medians, workload, key):
    return sorted({dict(k[2:]).get(key) for k in medians if k[0] == workload} - {None})


def plot_sessions(medians, out, sizes, clients):
    fig, axes = plt.subplots(1, len(sizes), figsize=(5.2 * len(sizes), 4.2), squeeze=False)
    for ax, size in zip(axes[0], sizes):
        for model in MODELS + BARE:
            ys = [c(get(medians, "sessions", model, clients=n, bytes=size), "rt_per_s")
                  for n in clients]
            pts = [(n, y) for n, y in zip(clients, ys) if y is not None]
            if pts:
                ax.plot(*zip(*pts), label=model, **STYLE[model])
        ax.set_xscale("log", base=2)
        ax.set_xticks(clients)
        ax.set_xticklabels([str(n) for n in clients])
        ax.set_xlabel("persistent clients N")
        ax.set_ylabel("round trips per second (median)")
        ax.set_title(f"sessions: {size} B request/response")
        ax.set_ylim(bottom=0)
        ax.grid(True, alpha=0.3)
    axes[0][0].legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(os.path.join(out, "throughput.png"), dpi=90)
    plt.close(fig)


def plot_p99(medians, out, sizes, clients):
    fig, axes = plt.subplots(1, len(sizes), figsize=(5.2 * len(sizes), 4.2), squeeze=False)
    for ax, size in zip(axes[0], sizes):
        for model in MODELS + BARE:
            ys = [c(get(medians, "sessions", model, clients=n, bytes=size), "p99_us")
                  for n in clients]
            pts = [(n, y) for n, y in zip(clients, ys) if y]
            if pts:
                ax.plot(*zip(*pts), label=model, **STYLE[model])
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_xticks(clients)
        ax.set_xticklabels([str(n) for n in clients])
        ax.set_xlabel("persistent clients N")
        ax.set_ylabel("p99 round-trip latency (µs, log)")
        ax.set_title(f"sessions: {size} B, p99 of served round trips")
        ax.grid(True, which="both", alpha=0.3)
    axes[0][0].legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(os.path.join(out, "latency_p99.png"), dpi=90)
    plt.close(fig)


def plot_churn(medians, out, churn_clients):
    models = MODELS + BARE
    fig, ax = plt.subplots(figsize=(8, 4.2))
    width = 0.8 / max(1, len(churn_clients))
    for i, n in enumerate(churn_clients):
        ys = [c(get(medians, "churn", m, clients=n), "conn_per_s") or 0 for m in models]
        xs = [j + i * width for j in range(len(models))]
        bars = ax.bar(xs, ys, width, label=f"{n} concurrent")
        for x, y in zip(xs, ys):
            ax.text(x, y, fmt(y), ha="center", va="bottom", fontsize=7)
    ax.set_xticks([j + width * (len(churn_clients) - 1) / 2 for j in range(len(models))])
    ax.set_xticklabels(models)
    ax.set_yscale("log")
    ax.set_ylabel("connections per second (median, log)")
    ax.set_title("churn: connect, one 64 B round trip, close")
    ax.legend(fontsize=8)
    ax.grid(True, axis="y", which="both", alpha=0.3)
    fig.tight_layout()
    fig.savefig(os.path.join(out, "churn.png"), dpi=90)
    plt.close(fig)


def loopback_limit(medians, size):
    """The bare loopback round trip at N=1: the better of the two minimal C servers (at N=1 both
    are the same two processes ping-ponging; taking the better one damps a noisy repetition)."""
    rates = [c(get(medians, "sessions", b, clients=1, bytes=size), "rt_per_s") for b in BARE]
    rates = [r for r in rates if r]
    return max(rates) if rates else None


def fork_us(fork_cost):
    s = c(fork_cost, "s_per_fork")
    return s * 1e6 if s else None


def fractions(medians, size, churn_n):
    """Per model: (sessions N=1 / bare loopback round trip, churn / its bare limit)."""
    limit_rt = loopback_limit(medians, size)
    rows = {}
    for m in MODELS:
        rt = c(get(medians, "sessions", m, clients=1, bytes=size), "rt_per_s")
        ch = c(get(medians, "churn", m, clients=churn_n), "conn_per_s")
        ch_limit = c(get(medians, "churn", CHURN_LIMIT[m], clients=churn_n), "conn_per_s")
        rows[m] = (rt / limit_rt if rt and limit_rt else None,
                   ch / ch_limit if ch and ch_limit else None)
    return rows


def plot_fraction(rows, out, size, churn_n):
    fig, ax = plt.subplots(figsize=(7.5, 4.2))
    xs = range(len(MODELS))
    s = [rows[m][0] or 0 for m in MODELS]
    ch = [rows[m][1] or 0 for m in MODELS]
    ax.bar([x - 0.2 for x in xs], s, 0.4, label=f"sessions N=1, {size} B  / bare loopback round trip")
    ax.bar([x + 0.2 for x in xs], ch, 0.4, label=f"churn ({churn_n} at a time) / bare C server of the same kind")
    for x, y in zip(xs, s):
        ax.text(x - 0.2, y, f"{y:.2f}", ha="center", va="bottom", fontsize=8)
    for x, y in zip(xs, ch):
        ax.text(x + 0.2, y, f"{y:.2f}", ha="center", va="bottom", fontsize=8)
    ax.axhline(1.0, color="0.3", linewidth=1, linestyle=":")
    ax.set_xticks(list(xs))
    ax.set_xticklabels(MODELS)
    ax.set_ylabel("fraction of the machine's limit (1 = limit)")
    ax.set_title("each model as a fraction of its limit (medians)")
    ax.set_ylim(0, max([1.2] + [v * 1.15 for v in s + ch]))
    ax.legend(fontsize=8, loc="lower right")
    ax.grid(True, axis="y", alpha=0.3)
    fig.tight_layout()
    fig.savefig(os.path.join(out, "limit_fraction.png"), dpi=90)
    plt.close(fig)


def plot_chat(medians, out, receivers):
    rates = [c(get(medians, "chat", "udp_chat_server", receivers=k), "delivered_per_s") for k in receivers]
    loss = [c(get(medians, "chat", "udp_chat_server", receivers=k), "loss") for k in receivers]
    fig, ax = plt.subplots(figsize=(6.5, 4.2))
    ax.plot(receivers, rates, marker="o", color="tab:purple", label="payload datagrams delivered/s")
    ax.set_xlabel("receivers K (one sender)")
    ax.set_ylabel("datagrams delivered per second (median)")
    ax.set_ylim(bottom=0)
    ax.grid(True, alpha=0.3)
    ax2 = ax.twinx()
    ax2.plot(receivers, [100 * (v or 0) for v in loss], marker="x", color="tab:gray",
             linestyle="--", label="loss (%)")
    ax2.set_ylabel("loss (% of payloads x receivers)")
    ax2.set_ylim(0, max([5] + [100 * (v or 0) * 1.2 for v in loss]))
    lines = ax.get_legend_handles_labels()[0] + ax2.get_legend_handles_labels()[0]
    labels = ax.get_legend_handles_labels()[1] + ax2.get_legend_handles_labels()[1]
    ax.legend(lines, labels, fontsize=8, loc="lower right")
    ax.set_title("chat relay (udp_chat_server): 1 sender, K receivers, 64 B")
    fig.tight_layout()
    fig.savefig(os.path.join(out, "chat.png"), dpi=90)
    plt.close(fig)


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: make_report.py BENCHMARK_JSON OUT_DIR")
    src, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    ctx, medians = parse(src)
    sizes = axis_values(medians, "sessions", "bytes")
    clients = axis_values(medians, "sessions", "clients")
    churn_clients = axis_values(medians, "churn", "clients")
    receivers = axis_values(medians, "chat", "receivers")
    small = 64 if 64 in sizes else (sizes[0] if sizes else 64)
    n_max = clients[-1] if clients else 64
    churn_n = churn_clients[0] if churn_clients else 1

    if sizes and clients:
        plot_sessions(medians, out, sizes, clients)
        plot_p99(medians, out, sizes, clients)
    if churn_clients:
        plot_churn(medians, out, churn_clients)
    rows = fractions(medians, small, churn_n)
    plot_fraction(rows, out, small, churn_n)
    if receivers:
        plot_chat(medians, out, receivers)

    md = []
    w = md.append
    load = ctx.get("load_avg") or []
    cpus = ctx.get("num_cpus")
    w("# netref benchmark report (B1)\n")
    w("The lecture's iterative and fork-per-client TCP echo servers, beside two reference designs "
      "(a pre-forked pool and a single-process epoll server) and beside the machine's own limits, "
      "under the same load. Written by `ci/bench` (bench/make_report.py) from "
      "`benchmark.json`; every number is the **median** of the repetitions.\n")
    w("## Machine and run\n")
    w("| | |\n|---|---|")
    w(f"| date | {ctx.get('date', '?')} |")
    w(f"| host | {ctx.get('host_name', '?')}: {cpus} CPUs at {ctx.get('mhz_per_cpu', '?')} MHz |")
    w(f"| kernel | {ctx.get('kernel', '?')} |")
    w(f"| compiler | {ctx.get('compiler', '?')} |")
    w(f"| netref build type | {ctx.get('netref_build_type', '?')} "
      f"(Google Benchmark library: {ctx.get('library_build_type', '?')}) |")
    w(f"| profile | {ctx.get('netref_profile', '?')}: {ctx.get('run_ms', '?')} ms measured per run, "
      f"medians of the repetitions |")
    w(f"| load average at start | {', '.join(f'{x:.2f}' for x in load) if load else '?'} |")
    w(f"| chat workload | {ctx.get('chat_included', '?')} |")
    w("")

    # Limits.
    bare_rt = get(medians, "sessions", "bare_iterative", clients=1, bytes=small)
    bare_fork_rt = get(medians, "sessions", "bare_fork", clients=1, bytes=small)
    limit_rt = loopback_limit(medians, small)
    fork_cost = next((b for k, b in medians.items() if k[0] == "limit"), None)
    w("## The machine's limits (measured in the same run)\n")
    w("| limit | rate | server CPU per operation |\n|---|---|---|")
    w(f"| bare loopback round trip, {small} B (two processes: the load generator and a minimal C "
      f"echo server, `bench_bare_echo`) | {fmt(c(bare_rt, 'rt_per_s'))} round trips/s, "
      f"p50 {fmt(c(bare_rt, 'p50_us'))} µs | {fmt(c(bare_rt, 'server_cpu_us_per_op'))} µs |")
    w(f"| same, minimal C fork-per-client server | {fmt(c(bare_fork_rt, 'rt_per_s'))} round trips/s "
      f"| {fmt(c(bare_fork_rt, 'server_cpu_us_per_op'))} µs |")
    for n in churn_clients:
        for bare in BARE:
            b = get(medians, "churn", bare, clients=n)
            w(f"| churn on the minimal C {bare[5:]} server, {n} at a time | "
              f"{fmt(c(b, 'conn_per_s'))} connections/s | {fmt(c(b, 'server_cpu_us_per_op'))} µs |")
    if fork_cost:
        w(f"| fork + _exit + waitpid (from the small benchmark process) | "
          f"{fmt(c(fork_cost, 'items_per_second'))} /s = {fmt(fork_us(fork_cost))} µs each | – |")
    w(f"\nThe **loopback limit** used for the fractions below is the better of the two minimal C "
      f"servers at N=1: {fmt(limit_rt)} round trips/s. Churn's limit is the minimal C server of "
      f"the same kind: bare_fork for the fork server, bare_iterative (no fork per connection) for "
      f"the others.")
    w("")

    # Headline.
    w("## Headline\n")
    w(f"| model | round trips/s, N=1, {small} B | round trips/s, N={n_max}, {small} B | "
      f"connections/s ({churn_n} at a time) | N=1 as fraction of bare loopback | churn as fraction "
      f"of its bare limit | server CPU µs per round trip (N=1) |")
    w("|---|---|---|---|---|---|---|")
    for m in MODELS + BARE:
        one = get(medians, "sessions", m, clients=1, bytes=small)
        many = get(medians, "sessions", m, clients=n_max, bytes=small)
        ch = get(medians, "churn", m, clients=churn_n)
        fr = rows.get(m, (None, None))
        w(f"| {m} | {fmt(c(one, 'rt_per_s'))} | {fmt(c(many, 'rt_per_s'))} | "
          f"{fmt(c(ch, 'conn_per_s'))} | {fmt(fr[0])} | {fmt(fr[1])} | "
          f"{fmt(c(one, 'server_cpu_us_per_op'))} |")
    w("")
    w("![throughput](throughput.png)\n")
    w("![p99 latency](latency_p99.png)\n")
    w("![churn](churn.png)\n")
    w("![fraction of the limit](limit_fraction.png)\n")

    # Reading.
    w("## Reading\n")
    reading = []
    it_many = get(medians, "sessions", "iterative", clients=n_max, bytes=small)
    if it_many:
        reading.append(
            f"**The iterative server serves one client at a time (T1).** With N={n_max} its total rate "
            f"stays at the one-client rate ({fmt(c(it_many, 'rt_per_s'))}/s) and the fairness counters "
            f"show it: the busiest client made {fmt(c(it_many, 'fair_max'))} round trips, the least "
            f"served {fmt(c(it_many, 'fair_min'))}. Every other client waits in the backlog (2) for "
            f"the first to leave.")
    ep_many = get(medians, "sessions", "epoll", clients=n_max, bytes=small)
    others = [c(get(medians, "sessions", m, clients=n_max, bytes=small), "rt_per_s") or 0
              for m in ("iterative", "fork", "prefork")]
    if ep_many and max(others) > 0:
        ratio = c(ep_many, "rt_per_s") / max(others)
        gen = max((c(b, "gen_cpu_cores") or 0) for k, b in medians.items() if k[0] == "sessions")
        if ratio >= 1.2:
            head = (f"**epoll does the most with many clients**: {fmt(c(ep_many, 'rt_per_s'))} round "
                    f"trips/s at N={n_max}, {ratio:.1f}x the best process-per-client model")
        else:
            head = (f"**epoll did not stand out in this run**: {fmt(c(ep_many, 'rt_per_s'))} round "
                    f"trips/s at N={n_max}, {ratio:.1f}x the best process-per-client model (on a quiet "
                    f"machine it leads clearly; see Noise)")
        reading.append(
            head + f", with one process, no context switch per message and "
            f"{fmt(c(ep_many, 'server_cpu_us_per_op'))} µs of server CPU per round trip (one "
            f"epoll_wait serves many ready sockets). The load generator is not what limits the "
            f"others: it is one process using at most {gen:.2f} of a core in any sessions run, and "
            f"it drives epoll at {fmt(c(ep_many, 'rt_per_s'))}/s.")
    fk = get(medians, "churn", "fork", clients=churn_n)
    bf = get(medians, "churn", "bare_fork", clients=churn_n)
    pf = get(medians, "churn", "prefork", clients=churn_n)
    if fk and fork_cost:
        reading.append(
            f"**A process per client is paid per connection.** The fork server accepts "
            f"{fmt(c(fk, 'conn_per_s'))} connections/s ({fmt(c(fk, 'server_cpu_us_per_op'))} µs of server "
            f"CPU each, the child's included) where the pre-forked pool accepts "
            f"{fmt(c(pf, 'conn_per_s'))}/s: the pool forks once, at start. One fork + _exit + waitpid "
            f"takes {fmt(fork_us(fork_cost))} µs of wall time on this machine (a virtual machine: "
            f"page-table copies are dear), so a fork per connection caps a server near "
            f"{fmt(1e6 / fork_us(fork_cost) if fork_us(fork_cost) else None)} connections/s before it "
            f"does any work; the minimal C fork server does "
            f"{fmt(c(bf, 'conn_per_s'))}/s at {fmt(c(bf, 'server_cpu_us_per_op'))} µs. The lecture's "
            f"remark holds: fork per unit of work, not per client.")
    if bare_rt:
        parts, ratios = [], []
        # At N=1 both minimal C servers run the same blocking read/write loop in one process;
        # the cheaper of the two is the minimal program's cost (one noisy median cannot inflate it).
        bare_cpu = [c(get(medians, "sessions", b, clients=1, bytes=small), "server_cpu_us_per_op")
                    for b in BARE]
        bare_cpu = [v for v in bare_cpu if v]
        bv = min(bare_cpu) if bare_cpu else None
        for m in ("iterative", "fork"):
            mv = c(get(medians, "sessions", m, clients=1, bytes=small), "server_cpu_us_per_op")
            if mv and bv:
                parts.append(f"{m} {fmt(mv)} µs")
                ratios.append(mv / bv)
        if parts:
            parts = [", ".join(parts) + f", against {fmt(bv)} µs for the minimal C server (the "
                     "cheaper of its iterative and fork builds, which at N=1 run the same loop)"]
        if ratios and max(ratios) <= 1.25:
            head = "**In quiet mode the reference servers cost what a minimal C program costs.**"
        elif ratios:
            head = (f"**In quiet mode the reference servers cost up to {max(ratios):.1f}x a minimal C "
                    f"program in this run** (within the noise of a shared machine if the rates above "
                    f"disagree too).")
        else:
            head = "**Quiet mode:** not measured."
        reading.append(
            head + f" Server CPU per round trip at N=1, {small} B: " + "; ".join(parts) + ". What is "
            "left with `--quiet` is the read and the write of each message (and, per connection, "
            "the connect and disconnect lines, which G3 keeps). The fork server's child reads and "
            "writes a blocking socket exactly as the minimal C child does. The iterative server "
            "also polls its client together with the signal pipe before each read, one more system "
            "call per message, so that SIGTERM ends even a session that is in progress (G5); the "
            "minimal C server has no such stop.")
    reading.append(
        "**Churn and TIME_WAIT.** Each churn connection is closed in order by the client (the "
        "server sees EOF, as with the lecture's client), so the client side keeps a TIME_WAIT. The "
        "load generator spreads its sources over 127.0.0.2–127.0.0.17 with IP_BIND_ADDRESS_NO_PORT "
        "(the port is picked at connect, knowing the whole 4-tuple), and Linux reuses loopback "
        "TIME_WAIT ports (`net.ipv4.tcp_tw_reuse = 2`), so the ephemeral range never runs out. "
        "With more concurrent connects than the lecture's backlog (2 or 5), SYNs that find the "
        "queue full are dropped and retried after 1 s: that is the tail in the iterative and fork "
        "servers' churn latency.")
    if receivers:
        ch1 = get(medians, "chat", "udp_chat_server", receivers=receivers[0])
        chk = get(medians, "chat", "udp_chat_server", receivers=receivers[-1])
        reading.append(
            f"**Chat relay.** One sender, K receivers: the relay sends two datagrams per receiver per "
            f"message (C4), so deliveries grow with K while messages per second fall: "
            f"{fmt(c(ch1, 'delivered_per_s'))}/s delivered at K={receivers[0]}, "
            f"{fmt(c(chk, 'delivered_per_s'))}/s at K={receivers[-1]}, loss "
            f"{100 * (c(chk, 'loss') or 0):.2f}% (the sender keeps at most 32 messages in flight "
            f"ahead of the fastest receiver).")
    # Benchmarks whose repetitions disagree: the cv of the rate across repetitions.
    cv_rows = {}
    with open(src) as f:
        for b in json.load(f)["benchmarks"]:
            if b.get("aggregate_name") == "cv":
                rate = next((b[k] for k in ("rt_per_s", "conn_per_s", "delivered_per_s") if k in b),
                            None)
                if rate is not None and rate > 0.25:
                    cv_rows[b["run_name"].split("/iterations")[0]] = rate
    if cv_rows:
        worst = sorted(cv_rows.items(), key=lambda kv: -kv[1])[:6]
        reading.append(
            f"**Repetitions that disagree** (rate cv over 25%, {len(cv_rows)} of the benchmarks): "
            + ", ".join(f"`{name}` {100 * cv:.0f}%" for name, cv in worst)
            + ". Their medians stand, but read them with care: on this shared virtual machine "
            "some repetitions fall into a slow mode (a tenth of the rate, several times the "
            "server CPU per operation) that does not reproduce when the benchmark runs alone, most "
            "likely CPU steal or both processes on one busy vCPU. That is why the loopback limit "
            "is the better of the two minimal C servers.")
    if load and cpus and load[0] > 0.5 * cpus:
        reading.append(
            f"**Noise.** The load average was {load[0]:.2f} on {cpus} CPUs when the run started: the "
            "machine was shared (other builds and tests), so absolute rates are noisy and "
            "repetitions disagree; compare models within this run, not across runs.")
    elif load:
        reading.append(
            f"**Noise.** Load average {load[0]:.2f} on {cpus} CPUs at the start; the load generator and "
            "the server share those CPUs, so a model that wants more than one CPU is capped.")
    for r in reading:
        w("- " + r)
    w("")

    # Full tables.
    for size in sizes:
        w(f"## Sessions, {size} B\n")
        w("| model | N | round trips/s | echoed MB/s | p50 µs | p99 µs | fewest / most round trips "
          "of a client | server CPU µs/rt | server CPU (cores) | peak children | peak RSS KiB "
          "(sum) | generator CPU (cores) |")
        w("|---|---|---|---|---|---|---|---|---|---|---|---|")
        for m in MODELS + BARE:
            for n in clients:
                b = get(medians, "sessions", m, clients=n, bytes=size)
                if not b:
                    continue
                mbs = (c(b, "rt_per_s") or 0) * size / 1e6  # Over the window, not the warm-up.
                w(f"| {m} | {n} | {fmt(c(b, 'rt_per_s'))} | {mbs:.2f} | {fmt(c(b, 'p50_us'))} | "
                  f"{fmt(c(b, 'p99_us'))} | {fmt(c(b, 'fair_min'))} / {fmt(c(b, 'fair_max'))} | "
                  f"{fmt(c(b, 'server_cpu_us_per_op'))} | {fmt(c(b, 'server_cpu_cores'))} | "
                  f"{fmt(c(b, 'peak_children'))} | {fmt(c(b, 'peak_rss_kib'))} | "
                  f"{fmt(c(b, 'gen_cpu_cores'))} |")
        w("")
    if churn_clients:
        w("## Churn (connect, one 64 B round trip, close)\n")
        w("| model | concurrent | connections/s | p50 µs | p99 µs | server CPU µs/conn | "
          "peak children | errors |")
        w("|---|---|---|---|---|---|---|---|")
        for m in MODELS + BARE:
            for n in churn_clients:
                b = get(medians, "churn", m, clients=n)
                if b:
                    w(f"| {m} | {n} | {fmt(c(b, 'conn_per_s'))} | {fmt(c(b, 'p50_us'))} | "
                      f"{fmt(c(b, 'p99_us'))} | {fmt(c(b, 'server_cpu_us_per_op'))} | "
                      f"{fmt(c(b, 'peak_children'))} | {fmt(c(b, 'errors'))} |")
        w("")
    if receivers:
        w("## Chat (udp_chat_server: one sender, K receivers, 64 B)\n")
        w("![chat](chat.png)\n")
        w("| receivers K | payloads delivered/s | loss | server CPU µs per delivery |")
        w("|---|---|---|---|")
        for k in receivers:
            b = get(medians, "chat", "udp_chat_server", receivers=k)
            w(f"| {k} | {fmt(c(b, 'delivered_per_s'))} | {100 * (c(b, 'loss') or 0):.2f}% | "
              f"{fmt(c(b, 'server_cpu_us_per_op'))} |")
        w("")
    else:
        w("## Chat\n\nNot measured in this run: `udp_chat_server` was not built.\n")
    w("## How it is measured\n")
    w("- `echo_benchmark` starts the real binary as `NAME 0 --bind 127.0.0.1 --quiet` with "
      "posix_spawn, waits for its `listening on` line, runs one load for a fixed time, then sends "
      "SIGTERM and reaps it (a run whose server does not exit 0, or leaves a process behind, is "
      "reported as an error). Each repetition gets a fresh server, and `ci/bench` interleaves "
      "the repetitions of all benchmarks at random, so a burst of outside load is spread over "
      "all the models and does not land on one of them. The "
      "pre-forked pool runs with `--workers 64` (the largest N) and is measured once all 64 are up.")
    w("- The load generator is one process: every client is a non-blocking socket in one epoll "
      "loop. Sessions connect clients a few at a time (at most 4 connected-but-unserved), so the "
      "lecture's small backlogs are not hit by a burst of SYNs, and the measured window starts "
      "once every client has been served once (or after the warm-up limit: the iterative server "
      "never serves the queued ones).")
    w("- Server CPU is read from /proc over exactly the window: the server's schedstat plus its "
      "reaped children's cutime+cstime plus every live child's, so fork children count. Peak "
      "children and RSS (summed over the processes, so shared pages count once per process) are "
      "sampled every 100 ms.")
    w("- Latency is per round trip (churn: per connection, connect included), over the served "
      "round trips only; fairness is the fewest and most round trips of any one client.")
    w("- Clients set TCP_NODELAY and re-arm TCP_QUICKACK after every read. netref's servers set "
      "TCP_NODELAY on accepted sockets; the minimal C limit server, like the lecture's, does not, "
      "so an echo longer than one read goes out as several writes of at most 8191 bytes and Nagle "
      "holds each later write until the earlier one is acknowledged. A client that delays its ACKs "
      "would then measure the delayed-ACK timer instead of the server: while building this "
      "benchmark, 16 KiB round trips ran at about 20 per second before the servers set "
      "TCP_NODELAY.")
    w("- The Google Benchmark library is Debian's build, which reports itself as `debug`. That "
      "affects only its own timing loop. The servers and the load generator are built by "
      "`ci/bench` in Release.")
    with open(os.path.join(out, "REPORT.md"), "w") as f:
        f.write("\n".join(md) + "\n")


if __name__ == "__main__":
    main()
