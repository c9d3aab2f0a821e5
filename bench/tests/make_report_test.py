#!/usr/bin/python3
"""make_report_test.py: the benchmark report says what its JSON says, and only that.

Each test edits the fixture (bench/testdata/benchmark_smoke.json, a trimmed smoke run) the way
a different measurement would come out, regenerates the report, and checks that the sentence
follows the data: the claim appears when its condition holds and is gone when it does not. No
test asserts a rate or a time of this machine; the numbers are the fixture's or the edit's.
Run: /usr/bin/python3 bench/tests/make_report_test.py [TestClass.test_name]
"""
import copy
import json
import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
MAKE_REPORT = os.path.join(HERE, "..", "make_report.py")
FIXTURE = os.path.join(HERE, "..", "testdata", "benchmark_smoke.json")
EPOLL_SLOWER = "epoll is slower than fork at N=64"
EPOLL_LEADS = "epoll does the most with many clients"


def load_fixture():
    with open(FIXTURE) as f:
        return json.load(f)


def entries(data, run_name_prefix):
    """Every repetition and aggregate of the benchmark whose run_name starts so."""
    return [b for b in data["benchmarks"] if b["run_name"].startswith(run_name_prefix + "/")
            or b["run_name"] == run_name_prefix]


def median_of(data, prefix, counter):
    values = sorted(b[counter] for b in entries(data, prefix) if b.get("run_type") != "aggregate")
    mid = len(values) // 2
    return values[mid] if len(values) % 2 else (values[mid - 1] + values[mid]) / 2


def set_reps(data, prefix, counter, values):
    """The repetitions of `prefix`, in order, get `values` (the fixture keeps no aggregates)."""
    reps = [b for b in entries(data, prefix) if b.get("run_type") != "aggregate"]
    assert len(reps) == len(values), f"{prefix}: {len(reps)} repetitions"
    for b, value in zip(reps, values):
        b[counter] = value


def must_show_row(report, starting):
    """The Must show table's (verdict, detail) for the criterion that starts so."""
    for line in report.text.split("## Must show", 1)[1].split("\n## ", 1)[0].splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if cells and cells[0].startswith(starting):
            return cells[1].strip("*"), cells[2]
    raise AssertionError(f"no Must show row starts with {starting!r}")


def set_counter(data, prefix, counter, value):
    found = entries(data, prefix)
    assert found, f"fixture has no {prefix}"
    for b in found:
        b[counter] = value


class Report:
    """make_report.py run on `data` in a fresh directory: its text, exit status and files."""

    def __init__(self, data, tmp, name="run", plots=False):
        self.dir = os.path.join(tmp, name)
        os.makedirs(self.dir)
        src = os.path.join(self.dir, "benchmark.json")
        with open(src, "w") as f:
            json.dump(data, f)
        self.proc = subprocess.run([sys.executable, MAKE_REPORT, src, self.dir] +
                                   ([] if plots else ["--no-plots"]),
                                   capture_output=True, text=True)
        if self.proc.returncode not in (0, 1):
            raise AssertionError(f"make_report.py failed:\n{self.proc.stderr}")
        with open(os.path.join(self.dir, "REPORT.md")) as f:
            self.text = f.read()

    def files(self):
        out = {}
        for name in sorted(os.listdir(self.dir)):
            if name != "benchmark.json":
                with open(os.path.join(self.dir, name), "rb") as f:
                    out[name] = f.read()
        return out

    def reading(self):
        return self.text.split("## Reading", 1)[1].split("\n## ", 1)[0]


class ReportTest(unittest.TestCase):
    def setUp(self):
        self.tmp_dir = tempfile.TemporaryDirectory()
        self.tmp = self.tmp_dir.name
        self.data = load_fixture()

    def tearDown(self):
        self.tmp_dir.cleanup()

    def report(self, data=None, name="run", plots=False):
        return Report(self.data if data is None else data, self.tmp, name, plots)


class B1ReportDeterminism(ReportTest):
    def testSameJsonGivesByteIdenticalReportAndPlots(self):
        """The report regenerated from one JSON twice is byte-identical, plots included."""
        first = self.report(name="first", plots=True).files()
        second = self.report(name="second", plots=True).files()
        self.assertIn("REPORT.md", first)
        self.assertTrue(any(n.endswith(".png") for n in first), first.keys())
        self.assertEqual(sorted(first), sorted(second))
        for name in first:
            self.assertEqual(first[name], second[name], f"{name} differs between two runs")


class B1ReportReading(ReportTest):
    def epoll_at_64_times_fork(self, factor):
        data = copy.deepcopy(self.data)
        fork = median_of(data, "sessions/fork/clients:64/bytes:64", "rt_per_s")
        set_counter(data, "sessions/epoll/clients:64/bytes:64", "rt_per_s", fork * factor)
        set_counter(data, "sessions/epoll/clients:64/bytes:64", "gen_cpu_cores", 0.5)
        return data

    def testEpollSlowerThanForkAt64IsSaidAndTheOppositeGone(self):
        """A JSON edited to make epoll slower than fork at N=64 gives a report that says so."""
        text = self.report(self.epoll_at_64_times_fork(0.5)).reading()
        self.assertIn(EPOLL_SLOWER, text)
        self.assertNotIn(EPOLL_LEADS, text)

    def testEpollFasterThanForkAt64IsSaidAndTheOppositeGone(self):
        """The same edit the other way round turns the sentence round."""
        text = self.report(self.epoll_at_64_times_fork(2.0)).reading()
        self.assertIn(EPOLL_LEADS, text)
        self.assertNotIn(EPOLL_SLOWER, text)

    def testChatDeliveriesThatPeakAreNotSaidToGrow(self):
        """K=3 beating K=9 gives 'peak at K=3', never 'grow with K'."""
        data = copy.deepcopy(self.data)
        set_counter(data, "chat/udp_chat_server/receivers:1", "delivered_per_s", 1000.0)
        set_counter(data, "chat/udp_chat_server/receivers:3", "delivered_per_s", 3000.0)
        set_counter(data, "chat/udp_chat_server/receivers:9", "delivered_per_s", 2000.0)
        text = self.report(data).reading()
        self.assertIn("deliveries peak at K=3", text)
        self.assertNotIn("grow with K", text)
        set_counter(data, "chat/udp_chat_server/receivers:9", "delivered_per_s", 9000.0)
        text = self.report(data, "rising").reading()
        self.assertIn("deliveries grow with K", text)
        self.assertNotIn("peak at", text)

    def testEveryCounterpartMetOnlyWhenEveryRatioIs(self):
        """'Every netref server reaches 0.95x' appears only when no ratio is below it."""
        data = copy.deepcopy(self.data)
        for b in data["benchmarks"]:
            workload, model = b["run_name"].split("/")[:2]
            if model.startswith("bare_") and workload in ("sessions", "churn"):
                rate = "rt_per_s" if workload == "sessions" else "conn_per_s"
                b[rate] = 1.0  # Every counterpart far behind.
        text = self.report(data).reading()
        self.assertIn("Every netref server reaches 0.95×", text)
        self.assertNotIn("Below 0.95×", text)
        set_counter(data, "churn/bare_fork/clients:4", "conn_per_s", 1e9)
        text = self.report(data, "one below").reading()
        self.assertNotIn("Every netref server reaches", text)
        self.assertIn("Below 0.95× the minimal C counterpart:** fork in 1 cell of", text)


    def iterative_at_parity(self, data, spread):
        """Every iterative cell the target applies to gets its counterpart's repetitions
        (`spread`, one value per repetition): each ratio 1.00x."""
        for workload, rate in (("churn", "conn_per_s"), ("sessions", "rt_per_s")):
            names = {b["run_name"].split("/iterations")[0] for b in data["benchmarks"]
                     if b["run_name"].startswith(f"{workload}/bare_iterative/")}
            for bare in names:
                mine = bare.replace("bare_iterative", "iterative")
                set_reps(data, bare, rate, spread)
                set_reps(data, mine, rate, spread)

    def testARatioSurelyBelowTheTargetIsNotMet(self):
        """A ratio below 0.95x whose whole interval is below it too fails its criterion."""
        data = copy.deepcopy(self.data)
        self.iterative_at_parity(data, [100.0, 101.0, 102.0])
        self.assertEqual(must_show_row(self.report(data, "parity"), "iterative")[0], "met")
        set_reps(data, "churn/iterative/clients:1", "conn_per_s", [50.0, 51.0, 52.0])
        verdict, detail = must_show_row(self.report(data, "halved"), "iterative")
        self.assertEqual(verdict, "not met")
        self.assertIn("churn, 1 client 0.50×", detail)

    def testARatioBelowTheTargetWithinTheNoiseIsNotShown(self):
        """A ratio of 0.93x whose repetitions spread so wide that its interval reaches 0.95x is
        neither met nor failed: the verdict says the run cannot tell."""
        data = copy.deepcopy(self.data)
        self.iterative_at_parity(data, [100.0, 150.0, 200.0])
        set_reps(data, "churn/iterative/clients:1", "conn_per_s", [93.0, 139.5, 186.0])
        verdict, detail = must_show_row(self.report(data), "iterative")
        self.assertEqual(verdict, "not shown")
        self.assertIn("churn, 1 client 0.93×", detail)
        self.assertIn("cannot tell", detail)

    def testSecondLongChurnTailIsBlamedOnTheBacklogOnlyPastIt(self):
        """A p99 near the 1 s SYN retry is explained by the backlog only where clients exceed it."""
        data = copy.deepcopy(self.data)
        for b in data["benchmarks"]:
            if b["run_name"].startswith("churn/"):
                b["p99_us"] = min(b.get("p99_us", 0), 1000.0)
        set_counter(data, "churn/fork/clients:16", "p99_us", 1.2e6)  # Backlog 5.
        set_counter(data, "churn/epoll/clients:16", "p99_us", 1.2e6)  # Backlog 128.
        text = self.report(data).reading()
        self.assertIn("**Churn tails of a second** (p99): fork with 16 clients (backlog 5)", text)
        self.assertNotIn("epoll with 16 clients", text)
        set_counter(data, "churn/fork/clients:16", "p99_us", 1000.0)
        self.assertNotIn("Churn tails", self.report(data, "short").reading())


class B1ReportFlags(ReportTest):
    def testSaturatedGeneratorMarksTheCellAFloor(self):
        """gen_cpu_cores near 1 marks the cell as a floor in its table row and the reading."""
        data = copy.deepcopy(self.data)
        for b in data["benchmarks"]:
            b["gen_cpu_cores"] = min(b.get("gen_cpu_cores", 0), 0.5)
        set_counter(data, "sessions/epoll/clients:64/bytes:64", "gen_cpu_cores", 0.99)
        report = self.report(data)
        row = next(line for line in report.text.splitlines()
                   if line.startswith("| epoll | 64 |"))
        self.assertIn("▲", row)
        self.assertIn("floor", row)
        self.assertIn("load generator was saturated in 1 cell", report.reading())
        self.assertNotIn("never the limit", report.reading())
        for b in entries(data, "sessions/epoll/clients:64/bytes:64"):
            b["gen_cpu_cores"] = 0.5
        report = self.report(data, "unsaturated")
        self.assertIn("load generator was never the limit", report.reading())
        self.assertNotIn("was saturated", report.reading())

    def testMedianAboveTheLoopbackLimitIsFlaggedNoise(self):
        """A limit holds: a median above the best counterpart repetition is flagged, not a win."""
        data = copy.deepcopy(self.data)
        best = max(b["rt_per_s"] for model in ("bare_iterative", "bare_fork", "bare_prefork",
                                                "bare_epoll")
                   for b in entries(data, f"sessions/{model}/clients:1/bytes:64"))
        set_counter(data, "sessions/epoll/clients:1/bytes:64", "rt_per_s", best * 1.5)
        report = self.report(data)
        self.assertIn("Above the loopback limit, so noise:** 64 B: epoll", report.reading())
        self.assertIn("1 cell above it, flagged noise", report.text)

    def testAConsoleThatStalledMakesTheCellNoise(self):
        """A netref server that dropped console lines waited 50 ms on its console: noise."""
        data = copy.deepcopy(self.data)
        entries(data, "churn/iterative/clients:1")[0]["console_drops"] = 3.0
        report = self.report(data)
        self.assertIn("its console stalled (3 lines dropped)", report.text)
        clean = self.report(name="clean")
        self.assertNotIn("console stalled", clean.text)

    def testAZombieFailsTheReportLoudly(self):
        """One zombie after one run: 'NOT MET' in Must show, a ZOMBIES bullet, exit status 1."""
        clean = self.report(name="clean")
        self.assertEqual(clean.proc.returncode, 0)
        self.assertIn("No zombies:", clean.reading())
        data = copy.deepcopy(self.data)
        entries(data, "churn/fork/clients:4")[0]["zombies"] = 1.0
        report = self.report(data, "zombie")
        self.assertEqual(report.proc.returncode, 1)
        self.assertIn("| zero zombies after every run | **NOT MET** |", report.text)
        self.assertIn("**ZOMBIES:** `churn/fork/clients:4` left 1", report.reading())
        self.assertNotIn("No zombies:", report.reading())

    def testForkImageOverTheTargetIsNotCalledLean(self):
        """The image sentence and the Must-show row follow the parent's mappings."""
        data = copy.deepcopy(self.data)
        set_counter(data, "churn/fork", "parent_maps", 171.0)
        report = self.report(data)
        self.assertIn("image is not lean", report.reading())
        self.assertIn("mappings and ≤ 2.5 MB RSS | **not met** | 171 mappings", report.text)
        set_counter(data, "churn/fork", "parent_maps", 12.0)
        for b in data["benchmarks"]:
            if b["run_name"].split("/")[1] == "fork":
                b["parent_maps"] = 12.0
                b["parent_rss_kib"] = 1500.0
        report = self.report(data, "lean")
        self.assertIn("image is lean", report.reading())
        self.assertIn("mappings and ≤ 2.5 MB RSS | **met** | 12 mappings", report.text)


class B1ReportCompare(ReportTest):
    """ci/bench --compare: compare.py's U test on two runs, and the report's list of changes."""

    COMPARE = "/usr/share/benchmark/compare.py"

    def doubled(self, data):
        """Each repetition twice: the fixture's 3 a side are too few for p < 0.05."""
        out = copy.deepcopy(data)
        out["benchmarks"] = [copy.deepcopy(b) for b in data["benchmarks"] for _ in (0, 1)]
        return out

    def compared(self, old, new):
        paths = []
        for name, data in (("old", old), ("new", new)):
            path = os.path.join(self.tmp, f"{name}.json")
            with open(path, "w") as f:
                json.dump(data, f)
            paths.append(path)
        dump = os.path.join(self.tmp, "compare.json")
        subprocess.run([sys.executable, self.COMPARE, "--dump_to_json", dump, "benchmarks"] +
                       paths, check=True, capture_output=True)
        out = os.path.join(self.tmp, "report")
        subprocess.run([sys.executable, MAKE_REPORT, paths[1], out, "--compare", dump,
                        "--no-plots"], capture_output=True, check=False)
        with open(os.path.join(out, "REPORT.md")) as f:
            return f.read().split("## Changes against the earlier run", 1)[1].split("\n## ")[0]

    @unittest.skipUnless(os.path.exists(COMPARE), "needs libbenchmark-tools")
    def testHalvedForkChurnIsTheOneSignificantChange(self):
        """Fork churn taking twice as long per connection is listed, and nothing else is."""
        old = self.doubled(self.data)
        new = copy.deepcopy(old)
        for b in entries(new, "churn/fork/clients:4"):
            b["real_time"] *= 2
        text = self.compared(old, new)
        self.assertIn("1 benchmark of the", text)
        self.assertIn("| `churn/fork/clients:4` |", text)
        self.assertIn("-50.0%", text)

    @unittest.skipUnless(os.path.exists(COMPARE), "needs libbenchmark-tools")
    def testSameRunTwiceHasNoSignificantChange(self):
        """A run compared with itself lists no change."""
        old = self.doubled(self.data)
        text = self.compared(old, copy.deepcopy(old))
        self.assertIn("No significant change", text)


if __name__ == "__main__":
    unittest.main()
