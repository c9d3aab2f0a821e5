// subprocess.cc
#include "harness/support/subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

extern char** environ;

namespace netref::testing {
namespace {

[[noreturn]] void Die(const char* what) {
  std::fprintf(stderr, "subprocess: %s: %s\n", what, std::strerror(errno));
  std::abort();
}

void MakePipe(int fds[2]) {
  if (::pipe2(fds, O_CLOEXEC) != 0) Die("pipe2");
}

// Reads what is available from a non-blocking fd into `buffer`; false at EOF.
bool Drain(int fd, std::string& buffer) {
  char chunk[65536];
  while (true) {
    const ssize_t n = ::read(fd, chunk, sizeof chunk);
    if (n > 0) {
      buffer.append(chunk, static_cast<std::size_t>(n));
      continue;
    }
    if (n == 0) return false;
    if (errno == EINTR) continue;
    return errno == EAGAIN;
  }
}

}  // namespace

std::string BinPath(std::string_view name) {
  if (!name.empty() && name.front() == '/') return std::string(name);  // Already a path.
  const char* dir = std::getenv("NETREF_BIN_DIR");
  // Without the variable (a test binary run by hand), the bin dir of the build it belongs to.
  return std::string(dir != nullptr ? dir : NETREF_DEFAULT_BIN_DIR) + "/" + std::string(name);
}

Subprocess Subprocess::Start(const std::vector<std::string>& argv, SpawnOptions options) {
  int in[2] = {-1, -1}, out[2] = {-1, -1}, err[2];
  if (options.pipe_stdin) MakePipe(in);
  if (options.stdout_fd < 0) MakePipe(out);
  MakePipe(err);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (options.pipe_stdin) {
    posix_spawn_file_actions_adddup2(&actions, in[0], STDIN_FILENO);
  } else {
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  }
  posix_spawn_file_actions_adddup2(&actions, options.stdout_fd >= 0 ? options.stdout_fd : out[1],
                                   STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err[1], STDERR_FILENO);
  // The child gets stdin, stdout and stderr only: fds the test process inherited without
  // close-on-exec must not leak in and skew the /proc fd counts a test checks.
  posix_spawn_file_actions_addclosefrom_np(&actions, STDERR_FILENO + 1);
  // The child starts with default signal actions and an empty mask, whatever the test has set.
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  sigset_t all, none;
  sigfillset(&all);
  sigemptyset(&none);
  posix_spawnattr_setsigdefault(&attributes, &all);
  posix_spawnattr_setsigmask(&attributes, &none);
  short flags = POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK;
  if (options.new_process_group) {
    posix_spawnattr_setpgroup(&attributes, 0);
    flags |= POSIX_SPAWN_SETPGROUP;
  }
  posix_spawnattr_setflags(&attributes, flags);
  std::vector<char*> args;
  for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  Subprocess process;
  const int rc = posix_spawn(&process.pid_, args[0], &actions, &attributes, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  if (rc != 0) {
    errno = rc;
    Die(argv[0].c_str());
  }
  if (options.pipe_stdin) {
    ::close(in[0]);
    process.stdin_fd_ = in[1];
  }
  if (out[1] >= 0) ::close(out[1]);
  ::close(err[1]);
  process.stdout_fd_ = out[0];
  process.stderr_fd_ = err[0];
  if (process.stdout_fd_ >= 0) ::fcntl(process.stdout_fd_, F_SETFL, O_NONBLOCK);
  ::fcntl(process.stderr_fd_, F_SETFL, O_NONBLOCK);
  process.pidfd_ = static_cast<int>(::syscall(SYS_pidfd_open, process.pid_, 0));
  if (process.pidfd_ < 0) Die("pidfd_open");
  return process;
}

Subprocess::Subprocess(Subprocess&& other) noexcept
    : pid_(other.pid_),
      pidfd_(other.pidfd_),
      stdin_fd_(other.stdin_fd_),
      stdout_fd_(other.stdout_fd_),
      stderr_fd_(other.stderr_fd_),
      stdout_buffer_(std::move(other.stdout_buffer_)),
      stderr_buffer_(std::move(other.stderr_buffer_)),
      lines_(std::move(other.lines_)),
      status_(other.status_) {
  other.pid_ = other.pidfd_ = other.stdin_fd_ = other.stdout_fd_ = other.stderr_fd_ = -1;
  other.status_ = core::WaitStatus{};
}

Subprocess::~Subprocess() {
  if (pid_ > 0 && !status_) {
    ::kill(pid_, SIGKILL);  // Only our own child, by pid: never by name.
    int raw = 0;
    while (::waitpid(pid_, &raw, 0) < 0 && errno == EINTR) {
    }
  }
  for (int fd : {pidfd_, stdin_fd_, stdout_fd_, stderr_fd_}) {
    if (fd >= 0) ::close(fd);
  }
}

bool Subprocess::WriteStdin(std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(stdin_fd_, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return false;
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

void Subprocess::CloseStdin() {
  if (stdin_fd_ >= 0) ::close(stdin_fd_);
  stdin_fd_ = -1;
}

bool Subprocess::Pump(int timeout_ms) {
  pollfd fds[2] = {{stdout_frozen_ ? -1 : stdout_fd_, POLLIN, 0}, {stderr_fd_, POLLIN, 0}};
  const int n = ::poll(fds, 2, timeout_ms);
  if (n < 0 && errno != EINTR) Die("poll");
  if (stderr_fd_ >= 0 && (fds[1].revents & (POLLIN | POLLHUP)) != 0) {
    if (!Drain(stderr_fd_, stderr_buffer_)) {
      ::close(stderr_fd_);
      stderr_fd_ = -1;
    }
  }
  if (fds[0].fd >= 0 && (fds[0].revents & (POLLIN | POLLHUP)) != 0) {
    if (!Drain(stdout_fd_, stdout_buffer_)) {
      ::close(stdout_fd_);
      stdout_fd_ = -1;
    }
  }
  return stdout_fd_ >= 0 || !stdout_buffer_.empty();
}

std::optional<std::string> Subprocess::ReadLine(const Deadline& deadline) {
  while (true) {
    const std::size_t newline = stdout_buffer_.find('\n');
    if (newline != std::string::npos) {
      std::string line = stdout_buffer_.substr(0, newline);
      stdout_buffer_.erase(0, newline + 1);
      lines_.push_back(line);
      return line;
    }
    if (stdout_fd_ < 0 || deadline.expired()) return std::nullopt;
    Pump(deadline.remaining_ms());
  }
}

std::optional<std::string> Subprocess::WaitForLine(
    const std::function<bool(const std::string&)>& match, const Deadline& deadline) {
  while (std::optional<std::string> line = ReadLine(deadline)) {
    if (match(*line)) return line;
  }
  return std::nullopt;
}

std::optional<std::string> Subprocess::WaitForLineStartingWith(std::string_view prefix,
                                                               const Deadline& deadline) {
  return WaitForLine([&](const std::string& line) { return line.rfind(prefix, 0) == 0; }, deadline);
}

std::optional<std::string> Subprocess::ReadStdoutBytes(std::size_t n, const Deadline& deadline) {
  while (stdout_buffer_.size() < n) {
    if (stdout_fd_ < 0 || deadline.expired()) return std::nullopt;
    Pump(deadline.remaining_ms());
  }
  std::string bytes = stdout_buffer_.substr(0, n);
  stdout_buffer_.erase(0, n);
  return bytes;
}

std::string Subprocess::ReadStdoutToEof(const Deadline& deadline) {
  while (stdout_fd_ >= 0 && !deadline.expired()) Pump(deadline.remaining_ms());
  return std::exchange(stdout_buffer_, std::string());
}

std::string Subprocess::stderr_text() {
  if (stderr_fd_ >= 0 && !Drain(stderr_fd_, stderr_buffer_)) {
    ::close(stderr_fd_);
    stderr_fd_ = -1;
  }
  return stderr_buffer_;
}

void Subprocess::Signal(int signal) {
  if (pid_ > 0 && !status_) ::kill(pid_, signal);
}

bool Subprocess::StdoutPipeFull() const {
  if (stdout_fd_ < 0) return false;
  // Opening the read end's /proc link for writing gives a write end of the same pipe; it is
  // closed at once, so the pipe still reaches EOF when the child's last write end closes.
  const std::string path = "/proc/self/fd/" + std::to_string(stdout_fd_);
  const int writer = ::open(path.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
  if (writer < 0) Die("open stdout pipe for writing");
  pollfd entry{writer, POLLOUT, 0};
  const int n = ::poll(&entry, 1, 0);
  ::close(writer);
  return n == 0;
}

std::optional<core::WaitStatus> Subprocess::Wait(const Deadline& deadline) {
  while (!status_) {
    int raw = 0;
    const pid_t done = ::waitpid(pid_, &raw, WNOHANG);
    if (done == pid_) {
      status_ = core::DecodeWaitStatus(raw);
      break;
    }
    if (done < 0 && errno != EINTR) Die("waitpid");
    if (deadline.expired()) return std::nullopt;
    // The pidfd becomes readable when the child ends; keep draining its output meanwhile so
    // that a child blocked on a full pipe can finish.
    pollfd fds[3] = {{pidfd_, POLLIN, 0},
                     {stdout_frozen_ ? -1 : stdout_fd_, POLLIN, 0},
                     {stderr_fd_, POLLIN, 0}};
    ::poll(fds, 3, deadline.remaining_ms());
    if (fds[1].fd >= 0 && (fds[1].revents & (POLLIN | POLLHUP)) != 0 &&
        !Drain(stdout_fd_, stdout_buffer_)) {
      ::close(stdout_fd_);
      stdout_fd_ = -1;
    }
    if ((fds[2].revents & (POLLIN | POLLHUP)) != 0 && !Drain(stderr_fd_, stderr_buffer_)) {
      ::close(stderr_fd_);
      stderr_fd_ = -1;
    }
  }
  return status_;
}

Finished RunToEnd(const std::vector<std::string>& argv, const Deadline& deadline) {
  Subprocess process = Subprocess::Start(argv);
  Finished finished;
  finished.out = process.ReadStdoutToEof(deadline);
  finished.status = process.Wait(deadline);
  finished.err = process.stderr_text();
  return finished;
}

StartedServer StartServer(std::string_view name, const std::vector<std::string>& extra) {
  std::vector<std::string> argv = {BinPath(name), "0", "--bind", "127.0.0.1"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  StartedServer server{Subprocess::Start(argv), core::Endpoint{core::kLoopbackAddress, 0}};
  std::optional<std::string> line = server.process.WaitForLineStartingWith(
      "listening on ", Deadline::In(std::chrono::seconds(10)));
  if (line) {
    const std::size_t colon = line->rfind(':');
    server.endpoint.port = static_cast<std::uint16_t>(std::atoi(line->c_str() + colon + 1));
  }
  return server;
}

}  // namespace netref::testing
