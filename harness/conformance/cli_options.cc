// cli_options.cc
#include "harness/conformance/cli_options.h"

#include <cstdlib>

namespace netref::conformance {

const char kUsage[] =
    "Usage: netref-conform PROGRAM... [OPTION...]      judge one implementation\n"
    "       netref-conform --class DIR [OPTION...]     grade a folder of submissions\n"
    "       netref-conform --list [--lecture]          list every check\n"
    "\n"
    "Programs: each a command template, run with /bin/sh -c after {ip} and {port} are filled\n"
    "in. A server that prints `listening on ADDR:PORT` is given port 0; any other gets a free\n"
    "port the kit picked.\n"
    "  --iterative-server CMD  tcpfirstsrv.c            './a.out {port}'\n"
    "  --fork-server CMD       multiProcessTcpServer.c  './a.out {port}'\n"
    "  --test-client CMD       tcptestclnt.c            './a.out {ip} {port}'\n"
    "  --chat-server CMD       ChatServer.c             './a.out {port}'\n"
    "  --chat-client CMD       ChatClient.c             './a.out {ip} {port}'\n"
    "  --lives-demo CMD        signalbasic.c            './a.out'\n"
    "  --ignore-demo CMD       signalsecond.c           './a.out'\n"
    "\n"
    "Which checks:\n"
    "  --lecture          programs written as the lecture's: no `listening on` line and no\n"
    "                     flags (the kit picks each port itself); G2 and G5, which judge netref\n"
    "                     extensions, are not judged\n"
    "  --only SEL         run only the checks SEL names: a clause (T5) or a check ID\n"
    "                     (T5.skip-short-lines); repeat it or separate with commas\n"
    "  --skip SEL         leave these checks out\n"
    "  --timeout SECONDS  overall limit: checks not started in time are reported \"not run\"\n"
    "                     and the run fails (a check already running finishes)\n"
    "  --isolate          run the kit and every program in a private network namespace with\n"
    "                     only loopback up, so the programs can reach nothing else (root)\n"
    "  --strict           a deviation fails the run too\n"
    "\n"
    "Reports (the table goes to stdout unless --json or --tap):\n"
    "  --json             JSON on stdout: kit version, flags, counts, scores, every check\n"
    "  --tap              TAP version 13 on stdout, one line per check\n"
    "  --markdown FILE    also write a self-contained Markdown report (with --class: the table)\n"
    "  --junit FILE       also write JUnit XML, one testcase per check\n"
    "  --csv FILE         with --class: also write the class table as CSV\n"
    "\n"
    "A class:\n"
    "  --class DIR        grade every folder in DIR: each holds the programs under their\n"
    "                     lecture names (tcpfirstsrv, multiProcessTcpServer, tcptestclnt,\n"
    "                     ChatServer, ChatClient, signalbasic, signalsecond), or a file\n"
    "                     netref-conform.txt with lines `fork-server = ./server {port}`\n"
    "  --jobs N           grade N submissions at once (default 1; with --isolate each in its\n"
    "                     own network namespace, so their ports never collide)\n"
    "\n"
    "  --help             this text\n"
    "Exit status: 0 pass (no failure; deviations allowed unless --strict), 1 a check failed\n"
    "(with --class: in some submission), 2 usage error, 3 the kit could not run as asked.\n";

namespace {

void SplitInto(const std::string& value, std::vector<std::string>& out) {
  std::size_t start = 0;
  while (start <= value.size()) {
    const std::size_t comma = value.find(',', start);
    const std::string item =
        value.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (!item.empty()) out.push_back(item);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
}

}  // namespace

std::optional<std::string> ParseCli(const std::vector<std::string>& args, CliOptions* options) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string arg = args[i], value;
    const std::size_t equals = arg.find('=');
    const bool inline_value = arg.rfind("--", 0) == 0 && equals != std::string::npos;
    if (inline_value) {
      value = arg.substr(equals + 1);
      arg = arg.substr(0, equals);
    }
    const auto take = [&]() -> bool {
      if (inline_value) return true;
      if (i + 1 >= args.size()) return false;
      value = args[++i];
      return true;
    };
    bool* flag = arg == "--help" || arg == "-h" ? &options->help
                 : arg == "--list"              ? &options->list
                 : arg == "--json"              ? &options->json
                 : arg == "--tap"               ? &options->tap
                 : arg == "--lecture"           ? &options->run.lecture
                 : arg == "--strict"            ? &options->run.strict
                 : arg == "--isolate"           ? &options->run.isolate
                                                : nullptr;
    std::string* path = arg == "--markdown" ? &options->markdown_path
                        : arg == "--junit"  ? &options->junit_path
                        : arg == "--csv"    ? &options->csv_path
                        : arg == "--class"  ? &options->class_dir
                                            : nullptr;
    if (flag != nullptr) {
      if (inline_value) return arg + " takes no value";
      *flag = true;
    } else if (path != nullptr) {
      if (!take() || value.empty()) return arg + " needs a " + (arg == "--class" ? "DIR" : "FILE");
      *path = value;
    } else if (arg == "--only" || arg == "--skip") {
      if (!take() || value.empty()) return arg + " needs a clause or a check ID";
      SplitInto(value, arg == "--only" ? options->run.only : options->run.skip);
    } else if (arg == "--timeout") {
      if (!take()) return "--timeout needs SECONDS";
      char* end = nullptr;
      const double seconds = std::strtod(value.c_str(), &end);
      if (value.empty() || *end != '\0' || !(seconds > 0) || seconds > 86400) {
        return "--timeout: '" + value + "' must be a number of seconds, 0 < s <= 86400";
      }
      options->run.timeout_seconds = seconds;
    } else if (arg == "--jobs") {
      if (!take()) return "--jobs needs N";
      char* end = nullptr;
      const long jobs = std::strtol(value.c_str(), &end, 10);
      if (value.empty() || *end != '\0' || jobs < 1 || jobs > 64) {
        return "--jobs: '" + value + "' must be 1..64";
      }
      options->jobs = static_cast<int>(jobs);
    } else if (arg.rfind("--", 0) == 0 && RoleNamed(arg.substr(2))) {
      if (!take() || value.empty()) return arg + " needs a command";
      options->programs.Set(*RoleNamed(arg.substr(2)), value);
    } else {
      return "unknown argument '" + arg + "'";
    }
  }
  if (options->help || options->list) return std::nullopt;
  if (options->json && options->tap) return "--json and --tap both want stdout: choose one";
  if (!options->class_dir.empty() && options->programs.Any()) {
    return "--class takes the programs from each submission folder, not from the command line";
  }
  if (options->class_dir.empty() && !options->programs.Any()) {
    return "give at least one program (or --class DIR)";
  }
  if (options->class_dir.empty() && (!options->csv_path.empty() || options->jobs != 1)) {
    return "--csv and --jobs go with --class";
  }
  if (const std::optional<std::string> unknown = UnknownSelector(options->run)) {
    return "'" + *unknown + "' is neither a clause nor a check ID (see --list)";
  }
  return std::nullopt;
}

}  // namespace netref::conformance
