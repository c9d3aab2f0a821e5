// args.cc: the one argument parser behind every program (G1).
#include "reference/core/args.h"

#include <algorithm>

namespace netref::core {
namespace {

enum class Positional { kPort, kIp };

struct OptionSpec {
  std::string_view name;
  std::string_view value_name;  // Empty for a flag that takes no value.
  bool takes_value() const { return !value_name.empty(); }
};

struct ProgramSpec {
  std::string_view lecture_usage;  // "%s" is argv[0].
  std::vector<Positional> positionals;
  std::vector<OptionSpec> options;
};

const OptionSpec kBind{"--bind", "ADDR"};
const OptionSpec kQuiet{"--quiet", ""};

ProgramSpec SpecFor(Program program) {
  switch (program) {
    case Program::kIterativeEchoServer:
    case Program::kEpollEchoServer:
      return {"Usage: %s [port]", {Positional::kPort}, {kBind, kQuiet}};
    case Program::kForkEchoServer:
      return {"Usage: %s [port]", {Positional::kPort}, {kBind, kQuiet, {"--max-children", "N"}}};
    case Program::kPreforkEchoServer:
      return {"Usage: %s [port]", {Positional::kPort}, {kBind, kQuiet, {"--workers", "N"}}};
    case Program::kTestClient:
      return {"Usage: %s [IP] [port]", {Positional::kIp, Positional::kPort}, {}};
    case Program::kChatServer:
      return {"Usage: %s Port",
              {Positional::kPort},
              {kBind, kQuiet, {"--max-clients", "N"}, {"--leave-on-end", ""}}};
    case Program::kChatClient:
      return {"Usage: %s IP Port", {Positional::kIp, Positional::kPort}, {}};
    case Program::kLivesDemo:
    case Program::kForkDemo:
      return {"Usage: %s", {}, {}};
    case Program::kIgnoreDemo:
      return {"Usage: %s", {}, {{"--interval-ms", "MS"}}};
  }
  // Unreachable: the switch names every Program (gcc's -Wreturn-type wants a return anyway).
  return {"Usage: %s", {}, {}};  // GCOVR_EXCL_LINE
}

Result<bool> ApplyOption(std::string_view name, std::string_view value, ProgramConfig& config) {
  if (name == "--quiet") {
    config.quiet = true;
  } else if (name == "--leave-on-end") {
    config.leave_on_end = true;
  } else if (name == "--bind") {
    Result<Ipv4Address> address = ParseIpv4(value);
    if (!address.ok()) return Error{"--bind: " + address.error()};
    config.endpoint.address = address.value();
  } else {
    // The numeric options. Caps keep a typo from asking for a million processes.
    struct Bound {
      std::string_view name;
      int min, max;
      int ProgramConfig::*field;
    };
    static constexpr Bound kBounds[] = {
        {"--max-children", 1, 100000, &ProgramConfig::max_children},
        {"--max-clients", 1, 100000, &ProgramConfig::max_clients},
        {"--workers", 1, 1024, &ProgramConfig::workers},
        {"--interval-ms", 0, 60000, &ProgramConfig::interval_ms},
    };
    for (const Bound& bound : kBounds) {
      if (bound.name != name) continue;
      Result<int> number = ParseBoundedInt(name, value, bound.min, bound.max);
      if (!number.ok()) return Error{number.error()};
      config.*bound.field = number.value();
      return true;
    }
    // Unreachable: ParseArgs hands over only the options of the program's spec, each of which
    // has a branch or a bound above; kept so that a new option forgotten here is an error.
    return Error{"unknown option '" + std::string(name) + "'"};  // GCOVR_EXCL_LINE
  }
  return true;
}

}  // namespace

std::string UsageText(Program program, std::string_view argv0) {
  const ProgramSpec spec = SpecFor(program);
  std::string text(spec.lecture_usage);
  text.replace(text.find("%s"), 2, std::string(argv0));
  if (!spec.options.empty()) {
    text += "\n  options:";
    for (const OptionSpec& option : spec.options) {
      text += " [" + std::string(option.name);
      if (option.takes_value()) text += " " + std::string(option.value_name);
      text += "]";
    }
  }
  return text;
}

Result<int> ParseBoundedInt(std::string_view name, std::string_view text, int min, int max) {
  // One reason for every bad value, with the value quoted and the range it missed: a user who
  // typed `-3` or `12x` or `70000` learns at once what was wanted.
  const Error bad{std::string(name) + ": '" + std::string(text) + "': must be " +
                  std::to_string(min) + ".." + std::to_string(max)};
  if (text.empty()) return bad;
  long long value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return bad;
    value = value * 10 + (c - '0');
    if (value > max) return bad;
  }
  if (value < min) return bad;
  return static_cast<int>(value);
}

Result<std::uint16_t> ParsePort(std::string_view text) {
#ifdef NETREF_PLANT_PORT_65536  // Test-only bug for `ci/fuzz --self-check`: one port too many.
  Result<int> port = ParseBoundedInt("port", text, 0, 65536);
#else
  Result<int> port = ParseBoundedInt("port", text, 0, 65535);
#endif
  if (!port.ok()) return Error{port.error()};
  return static_cast<std::uint16_t>(port.value());
}

Result<ProgramConfig> ParseArgs(Program program, const std::vector<std::string_view>& args) {
  const ProgramSpec spec = SpecFor(program);
  ProgramConfig config;
  std::vector<std::string_view> positionals;
  bool options_ended = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string_view arg = args[i];
    if (options_ended || arg.size() < 2 || arg.substr(0, 2) != "--") {
      positionals.push_back(arg);
      continue;
    }
    if (arg == "--") {
      options_ended = true;
      continue;
    }
    if (arg == "--help") {
      config.help = true;
      return config;
    }
    std::string_view name = arg;
    std::string_view value;
    bool has_inline_value = false;
    if (std::size_t eq = arg.find('='); eq != std::string_view::npos) {
      name = arg.substr(0, eq);
      value = arg.substr(eq + 1);
      has_inline_value = true;
    }
    auto found = std::find_if(spec.options.begin(), spec.options.end(),
                              [&](const OptionSpec& option) { return option.name == name; });
    if (found == spec.options.end()) return Error{"unknown option '" + std::string(name) + "'"};
    if (found->takes_value() && !has_inline_value) {
      if (i + 1 >= args.size()) return Error{std::string(name) + " needs a value"};
      value = args[++i];
    } else if (!found->takes_value() && has_inline_value) {
      return Error{std::string(name) + " takes no value"};
    }
    Result<bool> applied = ApplyOption(name, value, config);
    if (!applied.ok()) return Error{applied.error()};
  }
  if (positionals.size() < spec.positionals.size()) {
    std::string missing;
    for (std::size_t i = positionals.size(); i < spec.positionals.size(); ++i) {
      missing += std::string(" ") + (spec.positionals[i] == Positional::kPort ? "PORT" : "IP");
    }
    const bool several = spec.positionals.size() - positionals.size() > 1;
    return Error{std::string(several ? "missing arguments" : "missing argument") + missing};
  }
  if (positionals.size() > spec.positionals.size()) {
    return Error{"unexpected argument '" + std::string(positionals[spec.positionals.size()]) + "'"};
  }
  for (std::size_t i = 0; i < positionals.size(); ++i) {
    if (spec.positionals[i] == Positional::kPort) {
      Result<std::uint16_t> port = ParsePort(positionals[i]);
      if (!port.ok()) return Error{port.error()};
      config.endpoint.port = port.value();
    } else {
      Result<Ipv4Address> address = ParseIpv4(positionals[i]);
      if (!address.ok()) return Error{address.error()};
      config.endpoint.address = address.value();
    }
  }
  return config;
}

}  // namespace netref::core
