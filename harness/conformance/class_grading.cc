// class_grading.cc: grading submissions in worker processes, `jobs` at a time. The parent is
// a subreaper too, so a worker's orphans (if a worker itself dies) are its to end.
#include "harness/conformance/class_grading.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <map>

#include "harness/conformance/network_isolation.h"

namespace netref::conformance {
namespace {

struct Worker {
  pid_t pid;
  int output;  // The read end of the pipe the worker writes its results to.
  std::size_t index;
  std::string text;
};

// In the worker: grade one submission and write the results to `fd`; never returns.
[[noreturn]] void GradeInWorker(const Submission& submission, const RunOptions& options, int fd) {
  std::string text;
  if (::chdir(submission.directory.c_str()) != 0) {
    text = "error\tcannot enter " + submission.directory + "\n";
  } else if (const std::optional<std::string> why =
                 options.isolate ? EnterPrivateNetwork() : std::nullopt) {
    text = "error\t--isolate: " + *why + "\n";
  } else {
    text = EncodeResults(RunAll(submission.programs, options));
  }
  for (std::size_t done = 0; done < text.size();) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += static_cast<std::size_t>(n);
  }
  ::_exit(0);  // Not exit: the stdio buffers copied from the parent must not be flushed twice.
}

Graded Finish(const Submission& submission, const RunOptions& options, const std::string& text,
              int raw_status) {
  Graded graded{submission, Report{submission.programs, options, {}, false}, ""};
  if (text.rfind("error\t", 0) == 0) {
    graded.problem = text.substr(6, text.find('\n') - 6);
  } else if (std::optional<Report> report = DecodeResults(text, submission.programs, options)) {
    graded.report = std::move(*report);
  } else {
    graded.problem = "the grading process ended without a report (wait status " +
                     std::to_string(raw_status) + ")";
  }
  return graded;
}

}  // namespace

std::vector<Graded> GradeClass(const std::vector<Submission>& submissions,
                               const RunOptions& options, int jobs,
                               const std::function<void(const Graded&)>& done) {
  ::prctl(PR_SET_CHILD_SUBREAPER, 1);
  std::vector<std::optional<Graded>> results(submissions.size());
  std::vector<Worker> running;
  std::size_t next = 0;
  while (next < submissions.size() || !running.empty()) {
    while (next < submissions.size() && static_cast<int>(running.size()) < jobs) {
      const Submission& submission = submissions[next];
      if (!submission.problem.empty()) {
        results[next] =
            Graded{submission, Report{submission.programs, options, {}, false}, submission.problem};
        if (done) done(*results[next]);
        ++next;
        continue;
      }
      int fds[2];
      std::fflush(nullptr);  // Nothing buffered in the parent may be copied into the worker.
      const pid_t pid = ::pipe2(fds, O_CLOEXEC) == 0 ? ::fork() : -2;
      if (pid == 0) {
        ::close(fds[0]);
        GradeInWorker(submission, options, fds[1]);
      }
      if (pid < 0) {  // -1: fork failed (close the pipe); -2: pipe2 failed.
        if (pid == -1) {
          ::close(fds[0]);
          ::close(fds[1]);
        }
        results[next] = Graded{submission, Report{submission.programs, options, {}, false},
                               pid == -1 ? "fork failed" : "pipe failed"};
        if (done) done(*results[next]);
        ++next;
        continue;
      }
      ::close(fds[1]);
      running.push_back({pid, fds[0], next++, ""});
    }
    if (running.empty()) continue;
    std::vector<pollfd> fds;
    for (const Worker& w : running) fds.push_back({w.output, POLLIN, 0});
    if (::poll(fds.data(), fds.size(), -1) < 0 && errno != EINTR) break;
    for (std::size_t i = running.size(); i-- > 0;) {
      if ((fds[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
      Worker& w = running[i];
      char buffer[65536];
      const ssize_t n = ::read(w.output, buffer, sizeof buffer);
      if (n > 0) {
        w.text.append(buffer, static_cast<std::size_t>(n));
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      ::close(w.output);
      int raw = 0;
      while (::waitpid(w.pid, &raw, 0) < 0 && errno == EINTR) {
      }
      results[w.index] = Finish(submissions[w.index], options, w.text, raw);
      if (done) done(*results[w.index]);
      running.erase(running.begin() + static_cast<std::ptrdiff_t>(i));
    }
  }
  Kit::EndEverything();  // Whatever a worker left behind (only a worker that died does).
  std::vector<Graded> graded;
  for (std::optional<Graded>& result : results) {
    if (result) graded.push_back(std::move(*result));
  }
  return graded;
}

}  // namespace netref::conformance
