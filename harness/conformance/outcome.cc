// outcome.cc: the kit's vocabulary: the roles a program can play, the verdicts a check gives,
// and how bytes are shown in a report.
#include <cstdio>
#include <utility>

#include "harness/conformance/kit.h"

namespace netref::conformance {

std::string_view RoleName(Role role) {
  switch (role) {
    case Role::kIterativeServer:
      return "iterative-server";
    case Role::kForkServer:
      return "fork-server";
    case Role::kTestClient:
      return "test-client";
    case Role::kChatServer:
      return "chat-server";
    case Role::kChatClient:
      return "chat-client";
    case Role::kLivesDemo:
      return "lives-demo";
    case Role::kIgnoreDemo:
      return "ignore-demo";
  }
  return "?";
}

std::optional<Role> RoleNamed(std::string_view name) {
  for (Role role : kAllRoles) {
    if (RoleName(role) == name) return role;
  }
  return std::nullopt;
}

std::string_view LectureName(Role role) {
  switch (role) {
    case Role::kIterativeServer:
      return "tcpfirstsrv";
    case Role::kForkServer:
      return "multiProcessTcpServer";
    case Role::kTestClient:
      return "tcptestclnt";
    case Role::kChatServer:
      return "ChatServer";
    case Role::kChatClient:
      return "ChatClient";
    case Role::kLivesDemo:
      return "signalbasic";
    case Role::kIgnoreDemo:
      return "signalsecond";
  }
  return "?";
}

bool IsServer(Role role) {
  return role == Role::kIterativeServer || role == Role::kForkServer || role == Role::kChatServer;
}

bool IsUdp(Role role) { return role == Role::kChatServer || role == Role::kChatClient; }

void Programs::Set(Role role, std::string command) { templates[RoleIndex(role)] = command; }

bool Programs::Any() const {
  for (const auto& program : templates) {
    if (program) return true;
  }
  return false;
}

std::string_view VerdictName(Verdict verdict) {
  switch (verdict) {
    case Verdict::kPass:
      return "pass";
    case Verdict::kFail:
      return "FAIL";
    case Verdict::kDeviation:
      return "deviation";
    case Verdict::kNotApplicable:
      return "n/a";
    case Verdict::kSkipped:
      return "skipped";
    case Verdict::kNotRun:
      return "not run";
  }
  return "?";
}

Outcome Pass() { return Outcome{}; }
Outcome Fail(std::string expected, std::string observed) {
  return Outcome{Verdict::kFail, "", std::move(expected), std::move(observed)};
}
Outcome Deviation(std::string name, std::string expected, std::string observed) {
  return Outcome{Verdict::kDeviation, std::move(name), std::move(expected), std::move(observed)};
}
Outcome NotJudged(Verdict verdict, std::string why) {
  return Outcome{verdict, "", "", std::move(why)};
}

std::string Escape(std::string_view bytes, std::size_t max) {
  std::string out;
  for (const char ch : bytes) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\0') {
      out += "\\0";
    } else if (c == '\\' || c == '"') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      char hex[5];
      std::snprintf(hex, sizeof hex, "\\x%02x", c);
      out += hex;
    }
  }
  if (out.size() > max) {
    out = out.substr(0, max / 2) + "…(" + std::to_string(bytes.size()) + " bytes)…" +
          out.substr(out.size() - max / 2);
  }
  return "\"" + out + "\"";
}

}  // namespace netref::conformance
