// echo_session.cc: T2's echo, byte-exact.
#include "reference/core/echo_session.h"

namespace netref::core {

EchoStep EchoSession::OnRead(std::string_view bytes) {
  bytes_echoed_ += bytes.size();
  const std::string_view shown = bytes.substr(0, bytes.find('\0'));
#ifdef NETREF_PLANT_STRLEN_ECHO  // Test-only bug for `ci/fuzz --self-check`: the lecture's strlen.
  bytes = shown;
#endif
  return EchoStep{std::string(bytes),
                  "Client(" + std::to_string(peer_port_) + "): " + std::string(shown)};
}

std::string EchoSession::OnEof() const {
  return "Client(" + std::to_string(peer_port_) + "): is disconnected";
}

}  // namespace netref::core
