#!/usr/bin/python3
"""make_report.py: turns echo_benchmark's Google Benchmark JSON into report/REPORT.md and PNGs.

Usage: /usr/bin/python3 bench/make_report.py BENCHMARK_JSON OUT_DIR [--compare COMPARE_JSON]
                                            [--no-plots]

Every sentence of the report is computed from the JSON: each Reading bullet is a template whose
condition is checked on the data, so the sentence changes or disappears when the data says
otherwise. Central values are the medians of the repetitions (they resist a noisy neighbour);
limits are the best repetition, so that they hold. A cell is marked as a floor when the load
generator was saturated (its rate is then at least what the table says), and as noise when its
repetitions disagree or other processes took CPU during it. COMPARE_JSON is compare.py's
--dump_to_json output against an earlier run (ci/bench --compare). The same JSON gives the same
bytes, plots included. It must not run anything or re-measure. Prints the "Must show" summary
on stdout. Needs Debian's python3-matplotlib (so /usr/bin/python3).
"""
import json
import os
import random
import statistics
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

# What the report holds netref to (issue 13), and where a measurement stops being trusted.
TARGET_RATIO = 0.95  # Each netref server against its minimal C counterpart, cell by cell.
# How sure a verdict on a ratio must be: a ratio below the target counts against a criterion only
# when its bootstrap interval (this share of resamples of both cells' repetitions) lies below
# the target too; otherwise the data cannot tell it from one that meets it.
CONFIDENCE = 0.90
BOOTSTRAP_RESAMPLES = 2000
BOOTSTRAP_SEED = 20261201  # Fixed: the same JSON gives the same interval, and the same report.
FORK_MAPS_TARGET = 32  # The fork server's parent: /proc/PID/maps lines...
FORK_RSS_TARGET_KIB = 2560  # ...and VmRSS (2.5 MB).
FLOOR_GEN_CORES = 0.9  # The load generator is one process: at 0.9 of a core it is the limit.
NOISE_CV = 0.25  # Repetitions whose rates disagree by more than this (coefficient of variation).
NOISE_OTHER_CORES = 0.5  # Other processes using this much CPU during the window.

PAIRS = {"iterative": "bare_iterative", "fork": "bare_fork", "prefork": "bare_prefork",
         "epoll": "bare_epoll"}
NETREF = list(PAIRS)
BARE = list(PAIRS.values())
BINARY = {"iterative": "tcp_echo_iterative", "fork": "tcp_echo_fork",
          "prefork": "tcp_echo_prefork", "epoll": "tcp_echo_epoll",
          "bare_iterative": "bench_bare_iterative", "bare_fork": "bench_bare_fork",
          "bare_prefork": "bench_bare_prefork", "bare_epoll": "bench_bare_epoll"}
# listen(2) backlogs: the lecture's for its two servers (T1, T3), 128 for the pools and epoll;
# each counterpart uses its server's.
BACKLOG = {"iterative": 2, "fork": 5, "prefork": 128, "epoll": 128, "bare_iterative": 2,
           "bare_fork": 5, "bare_prefork": 128, "bare_epoll": 128}
RATE = {"sessions": "rt_per_s", "churn": "conn_per_s", "chat": "delivered_per_s"}
COLOR = {"iterative": "tab:blue", "fork": "tab:red", "prefork": "tab:orange", "epoll": "tab:green"}
MARKER = {"iterative": "o", "fork": "s", "prefork": "^", "epoll": "D"}
PARAM_ORDER = ("clients", "bytes", "receivers")


# ---------------------------------------------------------------------------------------------
# The data: one Cell per benchmark (workload, model, parameters) with its repetitions.

class Cell:
    def __init__(self, workload, model, params):
        self.workload, self.model, self.params = workload, model, params
        self.reps, self.aggregates, self.errors = [], {}, []

    @property
    def rate_name(self):
        return RATE.get(self.workload)

    def med(self, counter):
        agg = self.aggregates.get("median")
        if agg is not None and counter in agg:
            return agg[counter]
        values = [r[counter] for r in self.reps if counter in r]
        return statistics.median(values) if values else None

    def best(self, counter):
        values = [r[counter] for r in self.reps if counter in r]
        return max(values) if values else None

    def worst(self, counter):
        values = [r[counter] for r in self.reps if counter in r]
        return max(values) if values else None

    def rate(self):
        return self.med(self.rate_name) if self.rate_name else None

    def rates(self):
        """Each repetition's rate, but for one that completed nothing (0: a failed run, reported
        through its errors counter), which would divide the interval's resamples by zero."""
        return [r[self.rate_name] for r in self.reps if self.rate_name and r.get(self.rate_name)]

    def cv(self):
        agg = self.aggregates.get("cv")
        if agg is not None:
            return agg.get(self.rate_name) if self.rate_name else None
        values = [r[self.rate_name] for r in self.reps if self.rate_name in r]
        if len(values) < 2 or not statistics.mean(values):
            return None
        return statistics.stdev(values) / statistics.mean(values)

    def floor(self):
        """The load generator was saturated: the server's real rate is at least the measured."""
        gen = self.med("gen_cpu_cores")
        return gen is not None and gen >= FLOOR_GEN_CORES

    def noise(self):
        """Why this cell's median cannot be trusted, as short phrases (empty: it can)."""
        reasons = []
        cv = self.cv()
        if cv is not None and cv > NOISE_CV:
            reasons.append(f"repetitions disagree (cv {100 * cv:.0f}%)")
        other = self.med("other_cpu_cores")
        if other is not None and other > NOISE_OTHER_CORES:
            reasons.append(f"other processes used {other:.2f} cores")
        drops = self.worst("console_drops")
        if drops:
            reasons.append(f"its console stalled ({drops:.0f} lines dropped)")
        return reasons + self.extra_noise

    extra_noise = ()

    def label(self):
        return cell_label(self.workload, self.params)

    def name(self):
        return "/".join([self.workload, self.model] +
                        [f"{k}:{self.params[k]}" for k in PARAM_ORDER if k in self.params])


def cell_label(workload, params):
    if workload == "churn":
        return f"churn, {params['clients']} client{'s' if params['clients'] != 1 else ''}"
    if workload == "sessions":
        return f"sessions N={params['clients']}, {size_label(params['bytes'])}"
    if workload == "chat":
        return f"chat K={params['receivers']}"
    return workload


def size_label(size):
    return f"{size // 1024} KiB" if size >= 1024 and size % 1024 == 0 else f"{size} B"


def parse_name(run_name):
    parts = run_name.split("/")
    params = {}
    for p in parts[2:]:
        if ":" not in p:
            continue  # manual_time, real_time
        k, v = p.split(":", 1)
        if k in ("iterations", "repeats", "min_time"):
            continue
        params[k] = float(v) if "." in v else int(v)
    return parts[0], parts[1], params


class Data:
    def __init__(self, raw):
        self.context = raw.get("context", {})
        self.cells = {}
        for b in raw.get("benchmarks", []):
            workload, model, params = parse_name(b["run_name"])
            key = (workload, model, tuple(sorted(params.items())))
            cell = self.cells.setdefault(key, Cell(workload, model, params))
            if b.get("error_occurred"):
                cell.errors.append(b.get("error_message", "error"))
            elif b.get("run_type") == "aggregate":
                cell.aggregates[b.get("aggregate_name")] = b
            else:
                cell.reps.append(b)
        for cell in self.cells.values():
            cell.extra_noise = []

    def get(self, workload, model, **params):
        return self.cells.get((workload, model, tuple(sorted(params.items()))))

    def of(self, workload):
        return [c for k, c in sorted(self.cells.items(), key=lambda kv: sort_key(kv[0]))
                if c.workload == workload]

    def values(self, workload, param):
        return sorted({c.params[param] for c in self.of(workload) if param in c.params})

    def models(self, workload):
        """netref's servers, each followed by its variants (MODEL@MODE), then the counterparts."""
        found = {c.model for c in self.of(workload)}
        ordered = []
        for base in NETREF:
            ordered += [base] if base in found else []
            ordered += sorted(m for m in found if m.startswith(base + "@"))
        ordered += [m for m in BARE if m in found]
        return ordered + sorted(found - set(ordered))

    def variants(self):
        """The link modes run beside the default build, in the order they were given."""
        text = self.context.get("netref_variants", "none")
        return [] if text == "none" else [v.split("=", 1)[0] for v in text.split()]


def sort_key(key):
    workload, model, params = key
    return (workload, model, params)


def base_of(model):
    return model.split("@", 1)[0]


def counterpart(model):
    return PAIRS.get(base_of(model))


# ---------------------------------------------------------------------------------------------
# Formatting.

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


def fmt_ratio(r):
    return "–" if r is None else f"{r:.2f}×"


def fmt_mb(kib):
    return "–" if kib is None else f"{kib / 1024:.2f} MB"


def join_words(items):
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def plural(n, word, words=None):
    return f"{n} {word if n == 1 else (words or word + 's')}"


# ---------------------------------------------------------------------------------------------
# The comparisons the report is about.

class Ratio:
    """A netref cell against its counterpart's, with what may be wrong with the ratio."""

    def __init__(self, mine, theirs):
        self.mine, self.theirs = mine, theirs
        a, b = mine.rate() if mine else None, theirs.rate() if theirs else None
        self.value = a / b if a and b else None
        self.noise = (mine.noise() if mine else []) + (
            [f"counterpart: {r}" for r in theirs.noise()] if theirs else [])
        # A floor on the netref side makes the ratio a lower bound; on the counterpart's side an
        # upper bound.
        self.bound = {(True, False): "≥", (False, True): "≤", (True, True): "?"}.get(
            (bool(mine and mine.floor()), bool(theirs and theirs.floor())), "")

    def met(self):
        return self.value is not None and self.value >= TARGET_RATIO

    def interval(self):
        """The CONFIDENCE bootstrap interval of the ratio of medians: each cell's repetitions
        resampled with replacement, apart (None with fewer than 3 repetitions on a side)."""
        mine = self.mine.rates() if self.mine else []
        theirs = self.theirs.rates() if self.theirs else []
        if len(mine) < 3 or len(theirs) < 3:
            return None
        rng = random.Random(BOOTSTRAP_SEED)
        ratios = sorted(
            statistics.median(rng.choices(mine, k=len(mine))) /
            statistics.median(rng.choices(theirs, k=len(theirs)))
            for _ in range(BOOTSTRAP_RESAMPLES))
        tail = (1 - CONFIDENCE) / 2
        return (ratios[int(tail * BOOTSTRAP_RESAMPLES)],
                ratios[int((1 - tail) * BOOTSTRAP_RESAMPLES) - 1])

    def surely_below(self):
        """Below the target, and its whole interval too: the data says so, not the noise."""
        iv = self.interval()
        return not self.met() and iv is not None and iv[1] < TARGET_RATIO

    def interval_text(self):
        iv = self.interval()
        return f"{CONFIDENCE:.0%}: {iv[0]:.2f}–{iv[1]:.2f}" if iv else "no interval"

    def text(self):
        if self.value is None:
            return "–"
        mark = "" if self.met() else " ✗"
        flags = (" ▲" if self.bound else "") + (" ~" if self.noise else "")
        return f"{self.bound}{self.value:.2f}×{mark}{flags}"


def ratio_cells(data):
    """The cells the target applies to: churn at every client count, sessions at 1 and the
    largest N, every size. In the order the report lists them."""
    cells = [("churn", {"clients": n}) for n in data.values("churn", "clients")]
    clients = data.values("sessions", "clients")
    for size in data.values("sessions", "bytes"):
        for n in sorted({clients[0], clients[-1]} if clients else set()):
            cells.append(("sessions", {"clients": n, "bytes": size}))
    return cells


def ratios(data, model):
    out = []
    for workload, params in ratio_cells(data):
        mine = data.get(workload, model, **params)
        theirs = data.get(workload, counterpart(model), **params)
        if mine or theirs:
            out.append((workload, params, Ratio(mine, theirs)))
    return out


def loopback_limits(data):
    """Per size: the best repetition of any minimal C server at N=1 (a limit that holds: a
    median above it is noise). Marks every N=1 cell above it."""
    limits = {}
    for size in data.values("sessions", "bytes"):
        bests = [c.best("rt_per_s") for c in (data.get("sessions", b, clients=1, bytes=size)
                                              for b in BARE) if c and c.best("rt_per_s")]
        if not bests:
            continue
        limit = max(bests)
        above = []
        for model in data.models("sessions"):
            cell = data.get("sessions", model, clients=1, bytes=size)
            if cell and cell.rate() and cell.rate() > limit:
                cell.extra_noise.append("above the loopback limit")
                above.append(cell)
        limits[size] = (limit, above)
    return limits


def fork_reference(data):
    cells = data.of("reference")
    return cells[0] if cells else None


def image_rows(data):
    """Per server that ran churn: its parent's mappings and RSS beside its cost per connection."""
    clients = data.values("churn", "clients")
    if not clients:
        return []
    one, most = clients[0], clients[-1]
    rows = []
    for model in data.models("churn"):
        first = data.get("churn", model, clients=one)
        last = data.get("churn", model, clients=most)
        cells = [c for c in data.of("churn") + data.of("sessions") if c.model == model]
        maps = max((c.worst("parent_maps") or 0 for c in cells), default=None)
        rss = max((c.worst("parent_rss_kib") or 0 for c in cells), default=None)
        rows.append(dict(model=model, first=first, last=last, maps=maps, rss=rss,
                         one=one, most=most))
    return rows


def zombie_report(data):
    """(runs checked, cells with zombies [(cell, max zombies)])."""
    runs, bad = 0, []
    for cell in data.cells.values():
        counts = [r["zombies"] for r in cell.reps if "zombies" in r]
        runs += len(counts)
        if counts and max(counts) > 0:
            bad.append((cell, max(counts)))
    return runs, sorted(bad, key=lambda cb: cb[0].name())


# ---------------------------------------------------------------------------------------------
# "Must show": each criterion, met or not, from the data.

def must_show(data):
    rows = []
    fork_ratios = [r for r in ratios(data, "fork") if r[0] == "churn"]
    rows.append(criterion(f"fork server churn ≥ {TARGET_RATIO}× bare_fork at "
                          f"{join_words(str(p['clients']) for _, p, _ in fork_ratios)} clients",
                          fork_ratios))
    for model in ("iterative", "prefork", "epoll"):
        rs = ratios(data, model)
        rows.append(criterion(f"{model} ≥ {TARGET_RATIO}× {PAIRS[model]} on churn and sessions "
                              f"at N = 1 and the largest N", rs))
    image = {r["model"]: r for r in image_rows(data)}.get("fork")
    if image and image["maps"]:
        ok = image["maps"] <= FORK_MAPS_TARGET and image["rss"] <= FORK_RSS_TARGET_KIB
        rows.append((f"fork server's parent ≤ {FORK_MAPS_TARGET} mappings and ≤ "
                     f"{FORK_RSS_TARGET_KIB / 1024:g} MB RSS",
                     "met" if ok else "not met",
                     f"{image['maps']:.0f} mappings, {fmt_mb(image['rss'])}"))
    else:
        rows.append((f"fork server's parent ≤ {FORK_MAPS_TARGET} mappings and ≤ 2.5 MB RSS",
                     "not measured", "no churn run of the fork server"))
    runs, bad = zombie_report(data)
    rows.append(("zero zombies after every run", "met" if not bad and runs else
                 ("not measured" if not runs else "NOT MET"),
                 f"{runs} runs checked" + (": " + ", ".join(
                     f"{c.name()} ({z:.0f})" for c, z in bad) if bad else "")))
    return rows


def criterion(title, rs):
    measured = [(w, p, r) for w, p, r in rs if r.value is not None]
    if not measured:
        return (title, "not measured", "no pair of cells")
    below = [(w, p, r) for w, p, r in measured if not r.met()]
    if not below:
        low = min(measured, key=lambda t: t[2].value)
        return (title, "met", f"lowest {low[2].value:.2f}× ({cell_label(low[0], low[1])})")
    noisy = sum(1 for _, _, r in below if r.noise or r.bound)
    detail = "; ".join(f"{cell_label(w, p)} {r.text()} ({r.interval_text()})" for w, p, r in below)
    if noisy:
        detail += f" ({noisy} of them flagged noise or floor)"
    if any(r.surely_below() for _, _, r in below):
        return (title, "not met", detail)
    # Every ratio below the target has an interval that reaches it: not shown either way.
    return (title, "not shown", detail + f"; each interval reaches {TARGET_RATIO}×: this run "
            "cannot tell these cells from ones that meet it")


# ---------------------------------------------------------------------------------------------
# Reading: each bullet a template with its condition.

def reading(data, limits):
    bullets = []
    for make in (read_counterparts, read_fork_image, read_link_modes, read_many_clients,
                 read_iterative,
                 read_fork_vs_pool, read_syn_tail, read_chat, read_floors, read_limits,
                 read_noise, read_zombies):
        text = make(data, limits)
        if text:
            bullets.append(text)
    return bullets


def read_counterparts(data, limits):
    parts, worst = [], None
    for model in NETREF:
        rs = [r for r in ratios(data, model) if r[2].value is not None]
        if not rs:
            continue
        below = [t for t in rs if not t[2].met()]
        low = min(rs, key=lambda t: t[2].value)
        if worst is None or low[2].value < worst[3].value:
            worst = (model,) + low
        if below:
            parts.append(f"{model} in {plural(len(below), 'cell')} of {len(rs)} "
                         f"(lowest {low[2].value:.2f}×, {cell_label(low[0], low[1])})")
    if worst is None:
        return None
    if not parts:
        return (f"**Every netref server reaches {TARGET_RATIO}× its minimal C counterpart in "
                f"every cell measured**; the lowest is {worst[0]} at {worst[3].value:.2f}× "
                f"({cell_label(worst[1], worst[2])}).")
    return (f"**Below {TARGET_RATIO}× the minimal C counterpart:** {'; '.join(parts)}. "
            f"A ratio marked ▲ involves a saturated load generator and one marked ~ noise (see "
            f"the ratio table); an unmarked one is the two servers' own difference under the "
            f"same load.")


def read_fork_image(data, limits):
    rows = {r["model"]: r for r in image_rows(data)}
    fork, bare = rows.get("fork"), rows.get("bare_fork")
    if not fork or not bare or not fork["first"] or not bare["first"]:
        return None
    mine = fork["first"].med("parent_cpu_us_per_op")
    theirs = bare["first"].med("parent_cpu_us_per_op")
    if not mine or not theirs:
        return None
    maps_ok = fork["maps"] <= FORK_MAPS_TARGET and fork["rss"] <= FORK_RSS_TARGET_KIB
    link = data.context.get("netref_link", "?")
    head = ("**The fork server's image is lean**" if maps_ok else
            "**The fork server's image is not lean**")
    cost = mine / theirs
    if cost > 1 / TARGET_RATIO:
        verdict = f"{cost:.2f}×: more than the counterpart pays"
    elif cost < TARGET_RATIO:
        verdict = f"{cost:.2f}×: less than the counterpart pays"
    else:
        verdict = f"{cost:.2f}×: what the counterpart pays"
    return (f"{head} (NETREF_LINK={link}): its parent maps {fork['maps']:.0f} regions in "
            f"{fmt_mb(fork['rss'])} (bench_bare_fork: {bare['maps']:.0f} in "
            f"{fmt_mb(bare['rss'])}; the target is ≤ {FORK_MAPS_TARGET} and ≤ "
            f"{FORK_RSS_TARGET_KIB / 1024:g} MB). Each connection costs its parent "
            f"{fmt(mine)} µs of CPU (accept, fork, close, reap) against {fmt(theirs)} µs for "
            f"bench_bare_fork with one client, {verdict}.")


def link_mode_rows(data, base):
    """Per link mode of `base` (the default build first): mappings, RSS, parent CPU per
    connection and rate at each churn client count."""
    default = data.context.get("netref_link", "default")
    models = [(default, base)] + [(v, f"{base}@{v}") for v in data.variants()]
    clients = data.values("churn", "clients")
    rows = []
    for mode, model in models:
        cells = [data.get("churn", model, clients=n) for n in clients]
        if not any(cells):
            continue
        maps = max((c.worst("parent_maps") or 0 for c in cells if c), default=0)
        rss = max((c.worst("parent_rss_kib") or 0 for c in cells if c), default=0)
        rows.append(dict(mode=mode, model=model, cells=cells, maps=maps, rss=rss))
    return clients, rows


def read_link_modes(data, limits):
    clients, rows = link_mode_rows(data, "fork")
    if len(rows) < 2 or not clients:
        return None
    n = clients[0]
    costs = [(r["cells"][0].med("parent_cpu_us_per_op"), r) for r in rows
             if r["cells"][0] and r["cells"][0].med("parent_cpu_us_per_op")]
    if len(costs) < 2:
        return None
    costs.sort(key=lambda t: (t[0], t[1]["mode"]))
    cheapest, dearest = costs[0], costs[-1]
    return (f"**Link modes (same run):** with {plural(n, 'client')} the fork server's parent "
            f"spends {fmt(cheapest[0])} µs per connection built `{cheapest[1]['mode']}` "
            f"({cheapest[1]['maps']:.0f} mappings) and {fmt(dearest[0])} µs built "
            f"`{dearest[1]['mode']}` ({dearest[1]['maps']:.0f} mappings), "
            f"{dearest[0] / cheapest[0]:.2f}× as much: " + ", ".join(
                f"{r['mode']} {fmt(c)} µs" for c, r in costs) + ".")


def read_many_clients(data, limits):
    n, size, rated = most_clients(data)
    cells = dict(rated)
    ep, fk = cells.get("epoll"), cells.get("fork")
    if not ep or not fk:
        return None
    others = [(m, c) for m, c in rated if m != "epoll"]
    best_name, best = max(others, key=lambda mc: mc[1].rate())
    r = ep.rate() / fk.rate()
    floor = (f" The epoll figure is a floor: the load generator used "
             f"{ep.med('gen_cpu_cores'):.2f} of a core, so epoll could serve more than one "
             f"generator process can ask." if ep.floor() else "")
    where = f"at N={n}, {size_label(size)}"
    if ep.rate() >= 1.05 * best.rate():
        head = (f"**epoll does the most with many clients:** {where}, {fmt(ep.rate())} round "
                f"trips/s, {ep.rate() / best.rate():.2f}× the best process-per-client model "
                f"({best_name}, {fmt(best.rate())}/s)" +
                ("" if best_name == "fork" else f" and {r:.2f}× fork") + "; " +
                cpu_comparison(ep, fk) + ".")
    elif r <= 0.95:
        head = (f"**epoll is slower than fork at N={n}** ({size_label(size)}): "
                f"{fmt(ep.rate())} round trips/s against {fmt(fk.rate())}/s ({r:.2f}×).")
    elif r >= 1.05:
        head = (f"**epoll beats fork at N={n}** ({size_label(size)}, {fmt(ep.rate())} against "
                f"{fmt(fk.rate())} round trips/s, {r:.2f}×) but {best_name} does "
                f"{fmt(best.rate())}/s.")
    else:
        head = (f"**epoll and fork are level at N={n}** ({size_label(size)}): "
                f"{fmt(ep.rate())} and {fmt(fk.rate())} round trips/s ({r:.2f}×).")
    return head + floor


def cpu_comparison(ep, fk):
    mine, theirs = ep.med("server_cpu_us_per_op"), fk.med("server_cpu_us_per_op")
    if not mine or not theirs:
        return "one process, no context switch per message"
    if mine < theirs:
        return (f"one process, no context switch per message, and less server CPU per round "
                f"trip: {fmt(mine)} µs against {fmt(theirs)} µs for fork")
    return (f"one process, although its server CPU per round trip is not lower: {fmt(mine)} µs "
            f"against {fmt(theirs)} µs for fork")


def read_iterative(data, limits):
    clients = data.values("sessions", "clients")
    if not clients or clients[-1] < 2:
        return None
    n = clients[-1]
    size = min(data.values("sessions", "bytes"))
    it = data.get("sessions", "iterative", clients=n, bytes=size)
    run_s = float(data.context.get("run_ms", 0)) / 1000
    if not it or not it.rate() or not run_s or it.med("fair_max") is None:
        return None
    total = it.rate() * run_s
    share = it.med("fair_max") / total if total else 0
    if it.med("fair_min") == 0 and share >= 0.9:
        return (f"**The iterative server serves one client at a time (T1):** at N={n} one "
                f"client made {100 * share:.0f}% of the {fmt(total)} round trips and at least "
                f"one made none; the others waited in the backlog of 2.")
    return (f"**The iterative server shared its time at N={n}**: the busiest client made "
            f"{100 * share:.0f}% of the round trips and the least served "
            f"{fmt(it.med('fair_min'))}. T1 serves one client at a time, so read this cell "
            f"with care.")


def read_fork_vs_pool(data, limits):
    clients = data.values("churn", "clients")
    if not clients:
        return None
    n = clients[0]
    fk, pf = data.get("churn", "fork", clients=n), data.get("churn", "prefork", clients=n)
    ref = fork_reference(data)
    if not fk or not pf or not fk.rate() or not pf.rate():
        return None
    r = pf.rate() / fk.rate()
    ref_text = ""
    if ref and ref.med("s_per_fork"):
        ref_text = (f" For reference, fork + _exit + waitpid from echo_benchmark itself (a "
                    f"process of {fmt(ref.med('maps'))} mappings) takes "
                    f"{fmt(ref.med('s_per_fork') * 1e6)} µs.")
    if r > 1:
        return (f"**A process per client is paid per connection:** with {plural(n, 'client')} "
                f"the pre-forked pool accepts {fmt(pf.rate())} connections/s, {r:.1f}× the fork "
                f"server's {fmt(fk.rate())}/s: the pool forks once, at start. The lecture's "
                f"remark holds: fork per unit of work, not per client." + ref_text)
    return (f"**The fork server kept up with the pre-forked pool on churn** with "
            f"{plural(n, 'client')}: {fmt(fk.rate())} against {fmt(pf.rate())} "
            f"connections/s." + ref_text)


def read_syn_tail(data, limits):
    # A connect that finds the listen queue full is dropped and retried by the client's SYN
    # timer, first after 1 s: a p99 near that, at more clients than the server's backlog.
    tails = [c for c in data.of("churn") if (c.med("p99_us") or 0) >= 900e3 and
             c.params["clients"] > BACKLOG.get(base_of(c.model), 1 << 30)]
    if not tails:
        return None
    return ("**Churn tails of a second** (p99): " + ", ".join(
        f"{c.model} with {plural(c.params['clients'], 'client')} (backlog "
        f"{BACKLOG[base_of(c.model)]}) {fmt(c.med('p99_us') / 1e3)} ms" for c in tails) +
        ": more clients connect at once than the listen queue holds, and a dropped SYN is "
        "retried after 1 s.")


def chat_points(data):
    ks = data.values("chat", "receivers")
    pts = [(k, data.get("chat", "udp_chat_server", receivers=k)) for k in ks]
    return [(k, c) for k, c in pts if c and c.rate()]


def chat_shape(pts):
    """How deliveries move with K, in words; and the worst loss."""
    rates = [c.rate() for _, c in pts]
    if all(b > a for a, b in zip(rates, rates[1:])):
        shape = "deliveries grow with K"
    elif all(b < a for a, b in zip(rates, rates[1:])):
        shape = "deliveries fall as K grows"
    else:
        k, c = max(pts, key=lambda kc: kc[1].rate())
        shape = f"deliveries peak at K={k}"
    k, c = max(pts, key=lambda kc: (kc[1].med("loss") or 0, -kc[0]))
    loss = c.med("loss") or 0
    lost = "no payload lost" if loss == 0 else f"loss up to {100 * loss:.2f}% (K={k})"
    return shape, lost


def chat_finding(pts):
    if len(pts) < 2:
        return f"{fmt(pts[0][1].rate())} payloads/s at K={pts[0][0]}"
    shape, lost = chat_shape(pts)
    return f"{shape}; {lost}"


def read_chat(data, limits):
    pts = chat_points(data)
    if len(pts) < 2:
        return None
    shape, lost = chat_shape(pts)
    values = ", ".join(f"K={k} {fmt(c.rate())}/s" for k, c in pts)
    floor = [k for k, c in pts if c.floor()]
    floor_text = (f" (K={', '.join(map(str, floor))}: a floor, the generator was saturated)"
                  if floor else "")
    return (f"**Chat relay** (one sender, K receivers, 64 B; C4 sends a header and a payload "
            f"datagram to each receiver per message): {shape} ({values}){floor_text}; "
            f"{lost}.")


def read_floors(data, limits):
    floors = [c for c in data.cells.values() if c.rate_name and c.floor()]
    measured = [c for c in data.cells.values() if c.rate_name and c.med("gen_cpu_cores")]
    if not measured:
        return None
    top = max(c.med("gen_cpu_cores") for c in measured)
    if not floors:
        return (f"**The load generator was never the limit:** it used at most {top:.2f} of a "
                f"core in any cell (a floor would be ≥ {FLOOR_GEN_CORES}).")
    names = sorted(f"{c.model} ({c.label()})" for c in floors)
    return (f"**The load generator was saturated in {plural(len(floors), 'cell')}** "
            f"(≥ {FLOOR_GEN_CORES} of a core: {join_words(names)}): there the rate is a floor "
            f"for the server, marked ▲ in the tables and on the plots; the server could do more "
            f"than one generator process can ask.")


def read_limits(data, limits):
    texts = []
    for size, (limit, above) in sorted(limits.items()):
        if above:
            texts.append(f"{size_label(size)}: {join_words(sorted(c.model for c in above))} "
                         f"above the {fmt(limit)} round trips/s of the best minimal C repetition")
    if not texts:
        return None
    return ("**Above the loopback limit, so noise:** " + "; ".join(texts) + ". A median cannot "
            "beat the best repetition of the same kernel path unless the machine changed speed "
            "during the run; those cells are flagged ~.")


def read_noise(data, limits):
    rated = [c for c in data.cells.values() if c.rate_name]
    noisy = sorted((c for c in rated if c.noise()), key=lambda c: c.name())
    load = data.context.get("load_avg") or []
    others = [c.med("other_cpu_cores") for c in rated if c.med("other_cpu_cores") is not None]
    machine = ""
    if load:
        machine = f"The load average was {load[0]:.2f} when the run started"
        if others:
            machine += (f", and other processes used {statistics.median(others):.2f} cores in the "
                        f"median cell (at most {max(others):.2f})")
        machine += ". "
    if not noisy:
        return (f"**Noise.** {machine}No cell's repetitions disagree by more than "
                f"{100 * NOISE_CV:.0f}% and no cell shared the machine with more than "
                f"{NOISE_OTHER_CORES} cores of other work.")
    shown = noisy if len(noisy) <= 8 else sorted(
        noisy, key=lambda c: -(c.cv() or 0))[:8]
    which = "" if len(shown) == len(noisy) else f" (the {len(shown)} with the widest spread)"
    return (f"**Noise.** {machine}{plural(len(noisy), 'cell')} of {len(rated)} are flagged ~"
            f"{which}: " + "; ".join(f"`{c.name()}` {', '.join(c.noise())}" for c in shown) +
            ". Their medians stand, but compare them with care; a quiet machine gives tighter "
            "ones.")


def read_zombies(data, limits):
    runs, bad = zombie_report(data)
    if not runs:
        return None
    if not bad:
        return (f"**No zombies:** after each of the {runs} runs, once every client had closed, "
                "the server had reaped every child (checked in /proc).")
    return ("**ZOMBIES:** " + ", ".join(f"`{c.name()}` left {z:.0f}" for c, z in bad) +
            f" (of {runs} runs checked): a server that does not reap (T4).")


# ---------------------------------------------------------------------------------------------
# Plots: each title states its finding; legends sit outside the axes.

DRAW = True  # --no-plots: the same report text, no PNG written (the reading's tests).


def save(fig, out, name):
    if DRAW:
        fig.savefig(os.path.join(out, name), dpi=90, bbox_inches="tight",
                    metadata={"Software": None})
    plt.close(fig)


def plot_ratios(data, out):
    cells = ratio_cells(data)
    models = [m for m in NETREF if any(r.value for _, _, r in ratios(data, m))]
    if not cells or not models:
        return None
    fig, ax = plt.subplots(figsize=(max(7, 1.1 * len(cells) + 2), 4.4))
    width = 0.8 / len(models)
    top, below, total = 1.2, 0, 0
    for i, model in enumerate(models):
        rs = {(w, tuple(sorted(p.items()))): r for w, p, r in ratios(data, model)}
        for j, (w, p) in enumerate(cells):
            r = rs.get((w, tuple(sorted(p.items()))))
            if r is None or r.value is None:
                continue
            total += 1
            below += not r.met()
            x = j + (i - (len(models) - 1) / 2) * width
            ax.bar(x, r.value, width, color=COLOR[model], alpha=0.45 if r.noise else 1.0,
                   hatch="//" if r.bound else None, edgecolor="black" if r.bound else None,
                   linewidth=0.5)
            ax.text(x, r.value, f"{r.value:.2f}", ha="center", va="bottom", fontsize=6,
                    rotation=90)
            top = max(top, r.value * 1.2)
    ax.axhline(TARGET_RATIO, color="0.2", linewidth=1, linestyle="--")
    ax.set_xticks(range(len(cells)))
    ax.set_xticklabels([cell_label(w, p).replace(", ", "\n") for w, p in cells], fontsize=8)
    ax.set_ylim(0, top)
    ax.set_ylabel("netref rate / minimal C counterpart's (medians)")
    handles = [plt.Rectangle((0, 0), 1, 1, facecolor=COLOR[m]) for m in models]
    labels = [f"{m} / {PAIRS[m]}" for m in models]
    handles += [plt.Line2D([0], [0], color="0.2", linewidth=1, linestyle="--"),
                plt.Rectangle((0, 0), 1, 1, facecolor="white", edgecolor="black", hatch="//"),
                plt.Rectangle((0, 0), 1, 1, facecolor="0.6", alpha=0.45)]
    labels += [f"target {TARGET_RATIO}×", "▲ floor (generator saturated)", "~ noise"]
    ax.legend(handles, labels, fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    if below == 0:
        title = (f"every netref server reaches {TARGET_RATIO}× its C counterpart in all "
                 f"{total} cells")
    else:
        title = (f"{below} of {total} cells below {TARGET_RATIO}× the C counterpart "
                 f"(lowest: {lowest_text(data)})")
    ax.set_title(title, fontsize=10)
    ax.grid(True, axis="y", alpha=0.3)
    ax.set_axisbelow(True)
    save(fig, out, "ratio.png")
    return "ratio.png"


def lowest_text(data):
    low = None
    for model in NETREF:
        for w, p, r in ratios(data, model):
            if r.value is not None and (low is None or r.value < low[2].value):
                low = (model, cell_label(w, p), r)
    return f"{low[0]}, {low[1]}, {low[2].value:.2f}×" if low else "–"


def unique_legend(ax):
    seen, handles, labels = set(), [], []
    for h, l in zip(*ax.get_legend_handles_labels()):
        if l not in seen:
            seen.add(l)
            handles.append(h)
            labels.append(l)
    return handles, labels


def plot_churn(data, out):
    clients = data.values("churn", "clients")
    models = [m for m in NETREF if any(data.get("churn", m, clients=n) for n in clients)]
    if not clients or not models:
        return None
    fig, ax = plt.subplots(figsize=(8.5, 4.4))
    width = 0.8 / (2 * len(clients))
    best = None
    for j, model in enumerate(models):
        for i, n in enumerate(clients):
            for k, m in enumerate((model, PAIRS[model])):
                cell = data.get("churn", m, clients=n)
                if not cell or not cell.rate():
                    continue
                if m in NETREF and (best is None or cell.rate() > best[2]):
                    best = (m, n, cell.rate())
                x = j + (2 * i + k - (2 * len(clients) - 1) / 2) * width
                ax.bar(x, cell.rate(), width, color=COLOR[model] if k == 0 else "0.75",
                       alpha=shade(i, len(clients)) if k == 0 else 1.0,
                       hatch="//" if cell.floor() else None, edgecolor="black", linewidth=0.4)
                ax.text(x, cell.rate(), fmt(cell.rate()), ha="center", va="bottom", fontsize=6,
                        rotation=90)
    ax.set_yscale("log")
    rates = [c.rate() for c in data.of("churn") if c.rate()]
    ax.set_ylim(min(rates) / 3, max(rates) * 4)  # Room for the smallest bar and the labels.
    ax.set_xticks(range(len(models)))
    ax.set_xticklabels([f"{m}\n(vs {PAIRS[m]})" for m in models], fontsize=8)
    ax.set_ylabel("connections per second (median, log)")
    fk = [r for w, p, r in ratios(data, "fork") if w == "churn" and r.value is not None]
    finding = f"{best[0]} accepts the most ({fmt(best[2])}/s at {plural(best[1], 'client')})"
    if fk:
        lo, hi = min(r.value for r in fk), max(r.value for r in fk)
        finding += (f"; fork makes {lo:.2f}×" if lo == hi else
                    f"; fork makes {lo:.2f}–{hi:.2f}×") + " of bare_fork's connections"
    ax.set_title(f"churn: {finding}", fontsize=10)
    # Colour is the server; the shade (lighter to darker) the client count, each beside its
    # counterpart's grey bar.
    handles = [plt.Rectangle((0, 0), 1, 1, facecolor="0.25", alpha=shade(i, len(clients)))
               for i in range(len(clients))]
    labels = [f"netref, {plural(n, 'client')}" for n in clients]
    handles.append(plt.Rectangle((0, 0), 1, 1, facecolor="0.75", edgecolor="black",
                                 linewidth=0.4))
    labels.append("its minimal C counterpart")
    if any(c.floor() for c in data.of("churn")):
        handles.append(plt.Rectangle((0, 0), 1, 1, facecolor="white", edgecolor="black",
                                     hatch="//"))
        labels.append("▲ floor (generator saturated)")
    ax.legend(handles, labels, fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    ax.grid(True, axis="y", which="both", alpha=0.3)
    ax.set_axisbelow(True)
    save(fig, out, "churn.png")
    return "churn.png"


def shade(i, count):
    return 0.4 + 0.6 * (i + 1) / count


def plot_sessions(data, out, counter, name, ylabel, finding, log_y):
    sizes = data.values("sessions", "bytes")
    clients = data.values("sessions", "clients")
    if not sizes or not clients:
        return None
    fig, axes = plt.subplots(1, len(sizes), figsize=(5.0 * len(sizes) + 1.6, 4.2),
                             squeeze=False)
    for ax, size in zip(axes[0], sizes):
        for model in data.models("sessions"):
            base = base_of(model)
            if base not in COLOR and model not in BARE:
                continue
            color = COLOR.get(base) or COLOR[model[5:]]
            dashed = model in BARE
            pts = [(n, data.get("sessions", model, clients=n, bytes=size)) for n in clients]
            pts = [(n, c) for n, c in pts if c and c.med(counter)]
            if not pts:
                continue
            ax.plot([n for n, _ in pts], [c.med(counter) for _, c in pts], color=color,
                    marker=MARKER.get(base, MARKER.get(model[5:], "o")),
                    linestyle="--" if dashed else "-", alpha=0.6 if dashed else 1.0,
                    markerfacecolor="white" if dashed else color, label=model)
            floors = [(n, c.med(counter)) for n, c in pts if c.floor()]
            if floors:
                ax.scatter(*zip(*floors), marker="^", s=120, facecolors="none",
                           edgecolors="black", linewidths=1.2, zorder=5,
                           label="▲ floor (generator saturated)")
        ax.set_xscale("log", base=2)
        if log_y:
            ax.set_yscale("log")
        else:
            ax.set_ylim(bottom=0)
        ax.set_xticks(clients)
        ax.set_xticklabels([str(n) for n in clients])
        ax.set_xlabel("persistent clients N")
        ax.set_ylabel(ylabel)
        ax.set_title(f"{size_label(size)} request/response", fontsize=9)
        ax.grid(True, which="both", alpha=0.3)
    handles, labels = unique_legend(axes[0][-1])
    for ax in axes[0][:-1]:
        for h, l in zip(*unique_legend(ax)):
            if l not in labels:
                handles.append(h)
                labels.append(l)
    axes[0][-1].legend(handles, labels, fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    fig.suptitle(finding, fontsize=10)
    fig.tight_layout()
    save(fig, out, name)
    return name


def most_clients(data):
    """(N, size, [(model, cell)]) of the netref servers at the largest N and smallest size."""
    clients = data.values("sessions", "clients")
    sizes = data.values("sessions", "bytes")
    if not clients or not sizes:
        return None, None, []
    n, size = clients[-1], sizes[0]
    cells = [(m, data.get("sessions", m, clients=n, bytes=size)) for m in NETREF]
    return n, size, [(m, c) for m, c in cells if c and c.rate()]


def sessions_finding(data):
    n, size, rated = most_clients(data)
    if not rated:
        return ""
    m, c = max(rated, key=lambda mc: mc[1].rate())
    rest = [x for x in rated if x[0] != m]
    second = max(rest, key=lambda mc: mc[1].rate()) if rest else None
    text = f"at N={n}, {size_label(size)}: {m} leads with {fmt(c.rate())} round trips/s"
    if second:
        text += f", {c.rate() / second[1].rate():.2f}× {second[0]}"
    if c.floor():
        text += " (a floor: generator saturated)"
    return "sessions " + text


def p99_finding(data):
    n, size, rated = most_clients(data)
    # A server that left clients unserved (the iterative one, T1) has the p99 of the one it
    # served: not comparable.
    rated = [(m, c.med("p99_us")) for m, c in rated
             if c.med("p99_us") and (c.med("fair_min") or 0) > 0]
    if len(rated) < 2:
        return ""
    lo, hi = min(rated, key=lambda t: t[1]), max(rated, key=lambda t: t[1])
    return (f"p99 at N={n}, {size_label(size)}, among servers that served every client: "
            f"{fmt(lo[1])} µs ({lo[0]}) to {fmt(hi[1])} µs ({hi[0]}), {hi[1] / lo[1]:.1f}× apart")


def plot_chat(data, out):
    pts = chat_points(data)
    if not pts:
        return None
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(6.5, 5.2), sharex=True,
                                      gridspec_kw={"height_ratios": [3, 2]})
    xs = [k for k, _ in pts]
    top.plot(xs, [c.rate() for _, c in pts], marker="o", color="tab:purple")
    for k, c in pts:
        top.annotate(fmt(c.rate()), (k, c.rate()), textcoords="offset points", xytext=(0, 6),
                     ha="center", fontsize=7)
    floors = [(k, c.rate()) for k, c in pts if c.floor()]
    if floors:
        top.scatter(*zip(*floors), marker="^", s=120, facecolors="none", edgecolors="black",
                    zorder=5, label="▲ floor (generator saturated)")
        top.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    top.set_ylabel("payloads delivered/s")
    top.set_ylim(bottom=0, top=max(c.rate() for _, c in pts) * 1.2)
    top.grid(True, alpha=0.3)
    losses = [100 * (c.med("loss") or 0) for _, c in pts]
    bottom.plot(xs, losses, marker="x", color="tab:gray", linewidth=1.5)
    for k, v in zip(xs, losses):
        bottom.annotate(f"{v:.2f}%", (k, v), textcoords="offset points", xytext=(0, 6),
                        ha="center", fontsize=7)
    span = max([1.0] + [v * 1.4 for v in losses])
    bottom.set_ylim(-0.08 * span, span)  # A loss of 0 stays visible above the axis.
    bottom.set_ylabel("loss (%)")
    bottom.set_xlabel("receivers K (one sender, 64 B)")
    bottom.set_xticks(xs)
    bottom.grid(True, alpha=0.3)
    top.set_title("chat relay: " + chat_finding(pts), fontsize=10)
    fig.tight_layout()
    save(fig, out, "chat.png")
    return "chat.png"


# ---------------------------------------------------------------------------------------------
# Tables.

def flags(cell):
    out = []
    if cell.floor():
        out.append(f"▲ floor (generator {cell.med('gen_cpu_cores'):.2f} cores)")
    if cell.noise():
        out.append("~ " + ", ".join(cell.noise()))
    if cell.errors:
        out.append(f"ERROR: {cell.errors[0]}")
    return "; ".join(out)


def rate_text(cell):
    rate = cell.rate()
    return ("▲ " if cell.floor() else "") + fmt(rate) + (" ~" if cell.noise() else "")


def write_report(data, out, compare):
    limits = loopback_limits(data)  # First: it flags the cells above the limit as noise.
    ctx = data.context
    md = []
    w = md.append
    w("# netref benchmark report (B1)\n")
    w("Each of netref's four TCP servers (the lecture's iterative and fork-per-client servers, a "
      "pre-forked pool and a single-process epoll server) against its minimal C counterpart "
      "(`bench/minimal/`: libc only, correct, as small as the textbook's, printing the same "
      "console), under the same load "
      "in the same run. Written by `ci/bench` (bench/make_report.py) from `benchmark.json`: "
      "every number is the **median** of the repetitions unless it says otherwise, and every "
      "sentence is computed from them. ▲ marks a floor (the load generator was saturated, the "
      "server could do more), ~ noise (repetitions disagree or other processes took CPU).\n")

    w("## Must show\n")
    w(f"A ratio criterion is **met** when every ratio reaches {TARGET_RATIO}×, **not met** when "
      f"a ratio is below it with its whole {CONFIDENCE:.0%} bootstrap interval (both cells' "
      f"repetitions resampled, {BOOTSTRAP_RESAMPLES} times), and **not shown** when each ratio "
      f"below it has an interval that still reaches it: then the run's noise, not the servers, "
      f"decides the sign, and a longer run (`--full`) or a quieter machine is needed.\n")
    w("| criterion | verdict | detail |\n|---|---|---|")
    for title, verdict, detail in must_show(data):
        w(f"| {title} | **{verdict}** | {detail} |")
    w("")

    w("## Machine and run\n")
    load = ctx.get("load_avg") or []
    loads = [c.med("load1") for c in data.cells.values() if c.med("load1") is not None]
    w("| | |\n|---|---|")
    w(f"| date | {ctx.get('date', '?')} |")
    w(f"| host | {ctx.get('host_name', '?')}: {ctx.get('num_cpus', '?')} CPUs at "
      f"{ctx.get('mhz_per_cpu', '?')} MHz |")
    w(f"| kernel | {ctx.get('kernel', '?')} |")
    w(f"| compiler | {ctx.get('compiler', '?')} |")
    w(f"| netref build | {ctx.get('netref_build_type', '?')}, NETREF_LINK="
      f"{ctx.get('netref_link', '?')} (Google Benchmark library: "
      f"{ctx.get('library_build_type', '?')}) |")
    reps = max((len(c.reps) for c in data.cells.values()), default=0)
    w(f"| profile | {ctx.get('netref_profile', '?')}: {ctx.get('run_ms', '?')} ms measured per "
      f"run, {reps} repetitions of each cell, interleaved at random |")
    w(f"| load average | {', '.join(f'{x:.2f}' for x in load) if load else '?'} at the start"
      + (f"; {min(loads):.2f}–{max(loads):.2f} (1 min) as the runs began" if loads else "")
      + " |")
    variants = ctx.get("netref_variants", "none")
    if variants != "none":
        w(f"| variants | {variants} |")
    w(f"| chat workload | {ctx.get('chat_included', '?')} |")
    w("")

    w("## Each netref server against its minimal C counterpart\n")
    w(f"The ratio of the medians (netref / counterpart); ✗ below {TARGET_RATIO}×, ▲ a "
      f"saturated generator on one side (≥: the ratio is at least this, ≤: at most), ~ noise "
      f"on either side.\n")
    cells = ratio_cells(data)
    w("| server | " + " | ".join(cell_label(wl, p) for wl, p in cells) + " |")
    w("|---|" + "---|" * len(cells))
    for model in data.models("churn") + [m for m in data.models("sessions")
                                          if m not in data.models("churn")]:
        if model in BARE:
            continue
        rs = {(wl, tuple(sorted(p.items()))): r for wl, p, r in ratios(data, model)}
        w(f"| {model} vs {counterpart(model)} | " + " | ".join(
            rs[(wl, tuple(sorted(p.items())))].text() if (wl, tuple(sorted(p.items()))) in rs
            else "–" for wl, p in cells) + " |")
    w("")
    if plot_ratios(data, out):
        w("![ratio to the counterpart](ratio.png)\n")

    rows = image_rows(data)
    if rows:
        one, most = rows[0]["one"], rows[0]["most"]
        w("## Images: what each fork copies\n")
        w(f"The parent process of each server as the runs saw it (largest values over all its "
          f"runs): its mappings (`/proc/PID/maps` lines: fork copies each, with its page "
          f"tables) and RSS, beside the CPU its parent spends per connection (churn, "
          f"{plural(one, 'client')}: accept, fork, close and reap for the fork servers), the "
          f"whole tree's CPU per connection (children included), and the rate. The parent's "
          f"busy share (churn, {plural(most, 'client')}) is its CPU per second of run: at 1.00 "
          f"the accept loop itself is the limit.\n")
        w(f"| server | binary | parent mappings | parent RSS | parent CPU µs/connection | tree "
          f"CPU µs/connection | connections/s ({one}) | × counterpart | parent busy ({most}) |")
        w("|---|---|---|---|---|---|---|---|---|")
        for r in rows:
            first, last = r["first"], r["last"]
            model = r["model"]
            ratio = None
            if counterpart(model):
                ratio = Ratio(first, data.get("churn", counterpart(model), clients=one))
            binary = BINARY.get(base_of(model), model)
            link = ("libc shared" if model in BARE else
                    ("NETREF_LINK=" + model.split("@", 1)[1] if "@" in model else
                     "NETREF_LINK=" + ctx.get("netref_link", "?")))
            busy = last.med("parent_cpu_us_per_op") * last.rate() / 1e6 if (
                last and last.rate() and last.med("parent_cpu_us_per_op") is not None) else None
            w(f"| {model} | `{binary}` ({link}) | {fmt(r['maps'])} | {fmt_mb(r['rss'])} | "
              f"{fmt(first.med('parent_cpu_us_per_op') if first else None)} | "
              f"{fmt(first.med('server_cpu_us_per_op') if first else None)} | "
              f"{rate_text(first) if first else '–'} | {ratio.text() if ratio else '–'} | "
              f"{'–' if busy is None else f'{busy:.2f}'} |")
        w("")

    if data.variants():
        w("## Link modes (NETREF_LINK), side by side\n")
        w("The same servers built with each NETREF_LINK mode, interleaved in this run "
          "(`ci/bench --link-modes`): the parent's mappings and RSS, its CPU per connection and "
          "the churn rate at each client count (× the default build's, in the same cell).\n")
        clients = data.values("churn", "clients")
        for base in NETREF:
            _, rows = link_mode_rows(data, base)
            if len(rows) < 2:
                continue
            w(f"**{base}**\n")
            w("| NETREF_LINK | mappings | RSS | " + " | ".join(
                f"parent CPU µs/conn ({n}) | connections/s ({n})" for n in clients) + " |")
            w("|---|---|---|" + "---|---|" * len(clients))
            first = rows[0]["cells"]
            for r in rows:
                parts = []
                for c, ref in zip(r["cells"], first):
                    if not c:
                        parts += ["–", "–"]
                        continue
                    rel = (f" ({c.rate() / ref.rate():.2f}×)" if r is not rows[0] and ref and
                           ref.rate() and c.rate() else "")
                    parts += [fmt(c.med("parent_cpu_us_per_op")), rate_text(c) + rel]
                w(f"| {r['mode']} | {r['maps']:.0f} | {fmt_mb(r['rss'])} | " +
                  " | ".join(parts) + " |")
            w("")

    w("## Limits and references\n")
    w("| | value | what it is |\n|---|---|---|")
    for size, (limit, above) in sorted(limits.items()):
        status = ("no cell above it" if not above else
                  plural(len(above), "cell") + " above it, flagged noise")
        w(f"| loopback round trip, one client, {size_label(size)} | {fmt(limit)} round trips/s "
          f"| a limit: the best repetition of the four minimal C servers at N=1 ({status}) |")
    ref = fork_reference(data)
    if ref and ref.med("s_per_fork"):
        w(f"| fork + _exit + waitpid from echo_benchmark | {fmt(ref.med('s_per_fork') * 1e6)} µs "
          f"| a reference, not a limit: echo_benchmark maps {fmt(ref.med('maps'))} regions, and "
          f"a leaner server forks faster |")
    w("")

    w("## Reading\n")
    for bullet in reading(data, limits):
        w("- " + bullet)
    w("")

    plots = [plot_sessions(data, out, "rt_per_s", "throughput.png",
                           "round trips per second (median)", sessions_finding(data), False),
             plot_sessions(data, out, "p99_us", "latency_p99.png",
                           "p99 round-trip latency (µs, log)", p99_finding(data), True),
             plot_churn(data, out)]
    for name in plots:
        if name:
            w(f"![{name[:-4]}]({name})\n")

    for size in data.values("sessions", "bytes"):
        w(f"## Sessions, {size_label(size)}\n")
        w("| server | N | round trips/s | p50 µs | p99 µs | fewest / most round trips of a "
          "client | server CPU µs/rt | server CPU (cores) | generator CPU (cores) | peak "
          "children | peak RSS (sum) | zombies | flags |")
        w("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
        for model in data.models("sessions"):
            for n in data.values("sessions", "clients"):
                c = data.get("sessions", model, clients=n, bytes=size)
                if not c:
                    continue
                w(f"| {model} | {n} | {rate_text(c)} | {fmt(c.med('p50_us'))} | "
                  f"{fmt(c.med('p99_us'))} | {fmt(c.med('fair_min'))} / {fmt(c.med('fair_max'))} "
                  f"| {fmt(c.med('server_cpu_us_per_op'))} | {fmt(c.med('server_cpu_cores'))} | "
                  f"{fmt(c.med('gen_cpu_cores'))} | {fmt(c.med('peak_children'))} | "
                  f"{fmt_mb(c.med('peak_rss_kib'))} | {fmt(c.worst('zombies'))} | {flags(c)} |")
        w("")
    if data.of("churn"):
        w("## Churn (connect, one 64 B round trip, close)\n")
        w("| server | clients | connections/s | p50 µs | p99 µs | server CPU µs/conn | parent "
          "CPU µs/conn | generator CPU (cores) | peak children | errors | zombies | flags |")
        w("|---|---|---|---|---|---|---|---|---|---|---|---|")
        for model in data.models("churn"):
            for n in data.values("churn", "clients"):
                c = data.get("churn", model, clients=n)
                if not c:
                    continue
                w(f"| {model} | {n} | {rate_text(c)} | {fmt(c.med('p50_us'))} | "
                  f"{fmt(c.med('p99_us'))} | {fmt(c.med('server_cpu_us_per_op'))} | "
                  f"{fmt(c.med('parent_cpu_us_per_op'))} | {fmt(c.med('gen_cpu_cores'))} | "
                  f"{fmt(c.med('peak_children'))} | {fmt(c.med('errors'))} | "
                  f"{fmt(c.worst('zombies'))} | {flags(c)} |")
        w("")
    if data.of("chat"):
        w("## Chat (udp_chat_server: one sender, K receivers, 64 B)\n")
        if plot_chat(data, out):
            w("![chat](chat.png)\n")
        w("| receivers K | payloads delivered/s | loss | server CPU µs per delivery | flags |")
        w("|---|---|---|---|---|")
        for c in data.of("chat"):
            w(f"| {c.params['receivers']} | {rate_text(c)} | {100 * (c.med('loss') or 0):.2f}% | "
              f"{fmt(c.med('server_cpu_us_per_op'))} | {flags(c)} |")
        w("")
    else:
        w("## Chat\n\nNot measured in this run.\n")

    if compare is not None:
        write_compare(w, compare)

    w("## How it is measured\n")
    w("- `echo_benchmark` starts each server as `NAME 0 --bind 127.0.0.1 --quiet` with "
      "posix_spawn (the pools with `--workers 64`, measured once all 64 are up), waits for its "
      "`listening on` line, runs one load for a fixed time, waits for the server to reap every "
      "child of the closed clients (a zombie left then is counted and fails the run), then "
      "sends SIGTERM and reaps it (a server that does not exit 0, or leaves a process, is an "
      "error). Each repetition gets a fresh server; the repetitions of all benchmarks are "
      "interleaved at random, so a burst of outside load lands on every model alike.")
    w("- The counterparts (`bench/minimal/`) use the backlog of their netref server (2, 5, 128, "
      "128), set TCP_NODELAY as netref's servers do, and print the lecture's two lines per "
      "client that netref's servers print under `--quiet` (`client IP:PORT is connected...`, "
      "`Client(PORT): is disconnected`), each in one write(2), as a correct C server must (a "
      "line left in stdio's buffer is copied by fork and lost by _exit): a ratio compares two "
      "servers of the same program, not a queue length, Nagle or a console. They are built as "
      "the textbook builds a C program: libc shared.")
    w("- The load generator is one process: every client is a non-blocking socket in one epoll "
      "loop. Sessions connect clients a few at a time (at most 4 connected but unserved), and "
      "the window starts once every client has been served once (or after the warm-up: the "
      "iterative server never serves the queued ones). Churn connects, does one 64 B round "
      "trip and closes in order, from 127.0.0.2–17 with IP_BIND_ADDRESS_NO_PORT so loopback's "
      "TIME_WAIT reuse keeps the ports from running out.")
    w(f"- CPU comes from /proc over exactly the window: the server's schedstat, its reaped "
      f"children's cutime+cstime and every live child's. The generator's own CPU is "
      f"`gen_cpu_cores`; at ≥ {FLOOR_GEN_CORES} of a core the cell is a floor (▲). Other "
      f"processes' CPU is the machine's busy time (/proc/stat) minus both; above "
      f"{NOISE_OTHER_CORES} cores, or with a rate cv above {100 * NOISE_CV:.0f}%, the cell is "
      f"noise (~). Mappings and RSS are sampled every 100 ms.")
    w("- A benchmark's time is one operation's (the window divided by the operations), so "
      "`ci/bench --compare OLD.json` can run Google Benchmark's compare.py on two runs.")
    with open(os.path.join(out, "REPORT.md"), "w") as f:
        f.write("\n".join(md) + "\n")


def write_compare(w, compare):
    """compare.py's --dump_to_json: significant changes of the time per operation."""
    w("## Changes against the earlier run (compare.py)\n")
    found, shared = [], 0
    for entry in compare:
        if entry.get("run_type") == "aggregate" or entry["name"] == "OVERALL_GEOMEAN":
            continue
        shared += 1
        p = (entry.get("utest") or {}).get("time_pvalue")
        if p is None or p >= 0.05 or entry.get("time_unit") != "us":
            continue
        # The medians of the repetitions' times per operation (µs), as rates per second.
        old = statistics.median(m["real_time"] for m in entry["measurements"])
        new = statistics.median(m["real_time_other"] for m in entry["measurements"])
        found.append((entry["name"], 1e6 / old, 1e6 / new, old / new - 1, p))
    if not shared:
        w("The two runs share no benchmark (a different profile or number of repetitions "
          "changes every name): nothing to compare.\n")
        return
    if not found:
        reps = [min((e.get("utest") or {}).get("nr_of_repetitions", 0),
                    (e.get("utest") or {}).get("nr_of_repetitions_other", 0))
                for e in compare if e.get("utest")]
        few = (f" With {min(reps)} repetitions a side the test cannot reach p < 0.05 (it needs "
               f"4); run both with more." if reps and min(reps) < 4 else "")
        w(f"No significant change (Mann–Whitney U test on the repetitions, p < 0.05) in the "
          f"{shared} benchmarks both runs share.{few}\n")
        return
    found.sort(key=lambda t: (t[3], t[0]))
    w(f"{plural(len(found), 'benchmark')} of the {shared} both runs share changed "
      f"significantly (U test on the repetitions, p < 0.05); rates per second from the median "
      f"time per operation of each side.\n")
    w("| benchmark | before (/s) | after (/s) | change | p |\n|---|---|---|---|---|")
    for name, old, new, change, p in found:
        short = name.replace("/iterations:1", "").split("/repeats:")[0]
        w(f"| `{short}` | {fmt(old)} | {fmt(new)} | {100 * change:+.1f}% | {p:.3f} |")
    w("")


def main(argv):
    global DRAW
    args = argv[1:]
    if "--no-plots" in args:
        args.remove("--no-plots")
        DRAW = False
    compare_path = None
    if "--compare" in args:
        i = args.index("--compare")
        if i + 1 >= len(args):
            sys.exit("make_report.py: --compare needs a file (compare.py --dump_to_json output)")
        compare_path = args[i + 1]
        del args[i:i + 2]
    if len(args) != 2:
        sys.exit("usage: make_report.py BENCHMARK_JSON OUT_DIR [--compare COMPARE_JSON] "
                 "[--no-plots]")
    src, out = args
    os.makedirs(out, exist_ok=True)
    with open(src) as f:
        data = Data(json.load(f))
    compare = None
    if compare_path:
        with open(compare_path) as f:
            compare = json.load(f)
    plt.rcParams["font.size"] = 9
    write_report(data, out, compare)
    print("Must show:")
    for title, verdict, detail in must_show(data):
        print(f"  [{verdict}] {title}: {detail}")
    rated = [c for c in data.cells.values() if c.rate_name]
    noisy = sum(1 for c in rated if c.noise())
    load = data.context.get("load_avg") or [0]
    print(f"  {noisy} of {len(rated)} cells flagged noise (load average {load[0]:.2f} at the "
          f"start)" + ("; run again on a quiet machine before trusting the ratios"
                       if noisy > len(rated) // 4 else ""))
    runs, bad = zombie_report(data)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
