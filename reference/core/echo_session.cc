// echo_session.cc: T2's echo, byte-exact.
#include "reference/core/echo_session.h"

#include "reference/core/console_lines.h"

namespace netref::core {

EchoStep EchoSession::OnRead(std::string_view bytes) {
  bytes_echoed_ += bytes.size();
#ifdef NETREF_PLANT_STRLEN_ECHO  // Test-only bug for `ci/fuzz --self-check`: the lecture's strlen.
  bytes = bytes.substr(0, bytes.find('\0'));
#endif
  if (quiet_) return EchoStep{bytes, std::string()};
  const std::string_view shown = bytes.substr(0, bytes.find('\0'));
  // G3: a full read makes a line longer than a pipe keeps whole; it is cut, with its size.
  std::string line =
      FitConsoleLine("Client(" + std::to_string(peer_port_) + "): " + std::string(shown),
                     " [cut: " + std::to_string(bytes.size()) + " bytes read]");
  return EchoStep{bytes, std::move(line)};
}

std::string EchoSession::OnEof() const {
  return "Client(" + std::to_string(peer_port_) + "): is disconnected";
}

}  // namespace netref::core
