#include "crash/subprocess.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <deque>
#include <fstream>
#include <thread>

namespace storyline::crash {

namespace {

void WriteAll(int fd, const char* s) {
  size_t n = std::strlen(s);
  while (n > 0) {
    ssize_t w = ::write(fd, s, n);
    if (w <= 0) return;
    s += w;
    n -= static_cast<size_t>(w);
  }
}

}  // namespace

std::string ExitInfo::Describe() const {
  if (exited) return "exit " + std::to_string(code);
  if (signaled) {
    const char* name = ::strsignal(signal);
    return "killed by signal " + std::to_string(signal) +
           (name ? std::string(" (") + name + ")" : "");
  }
  return "still running";
}

bool ExitInfo::Ok(const std::vector<int>& codes) const {
  if (!exited) return false;
  for (int c : codes)
    if (c == code) return true;
  return false;
}

Child::~Child() {
  if (running()) KillAndReap();
}

bool Child::Start(const SpawnOptions& options, std::string* error) {
  if (options.argv.empty()) {
    *error = "no program to run";
    return false;
  }
  // Everything the child needs is prepared before fork.
  std::vector<char*> argv;
  argv.reserve(options.argv.size() + 1);
  for (const auto& a : options.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  const std::string exec_failed = "storyline_crash: cannot execute " + options.argv[0] + "\n";
  const std::string chdir_failed = "storyline_crash: cannot enter " + options.cwd + "\n";

  int in = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  int out = ::open(options.stdout_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  int err = ::open(options.stderr_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (in < 0 || out < 0 || err < 0) {
    *error = std::string("cannot open the child's output files: ") + std::strerror(errno);
    for (int fd : {in, out, err})
      if (fd >= 0) ::close(fd);
    return false;
  }
  started_ = Clock::now();
  pid_t pid = ::fork();
  if (pid < 0) {
    *error = std::string("fork: ") + std::strerror(errno);
    ::close(in);
    ::close(out);
    ::close(err);
    return false;
  }
  if (pid == 0) {
    // Child: async-signal-safe calls only.
    if (::dup2(in, 0) < 0 || ::dup2(out, 1) < 0 || ::dup2(err, 2) < 0) ::_exit(127);
    if (!options.cwd.empty() && ::chdir(options.cwd.c_str()) != 0) {
      WriteAll(2, chdir_failed.c_str());
      ::_exit(127);
    }
    ::execv(argv[0], argv.data());
    WriteAll(2, exec_failed.c_str());
    ::_exit(127);
  }
  ::close(in);
  ::close(out);
  ::close(err);
  pid_ = pid;
  reaped_ = false;
  info_ = ExitInfo{};
  return true;
}

bool Child::Reap(bool block) {
  if (pid_ <= 0 || reaped_) return reaped_;
  for (;;) {
    int status = 0;
    pid_t r = ::waitpid(pid_, &status, block ? 0 : WNOHANG);
    if (r < 0 && errno == EINTR) continue;
    if (r == 0) return false;
    ended_ = Clock::now();
    reaped_ = true;
    if (r == pid_) {
      if (WIFEXITED(status)) {
        info_.exited = true;
        info_.code = WEXITSTATUS(status);
      } else if (WIFSIGNALED(status)) {
        info_.signaled = true;
        info_.signal = WTERMSIG(status);
      }
    }
    return true;
  }
}

bool Child::WaitUntil(Clock::time_point deadline) {
  for (;;) {
    if (Reap(false)) return true;
    const auto now = Clock::now();
    if (now >= deadline) return false;
    std::this_thread::sleep_for(
        std::min<Clock::duration>(deadline - now, std::chrono::milliseconds(1)));
  }
}

void Child::KillAndReap() {
  if (pid_ <= 0 || reaped_) return;
  ::kill(pid_, SIGKILL);  // a zombie ignores it and is reaped below with its real status
  Reap(true);
}

bool RunToCompletion(const SpawnOptions& options, std::chrono::milliseconds hang_limit,
                     ExitInfo* info, double* seconds, bool* hung, std::string* error) {
  Child child;
  if (!child.Start(options, error)) return false;
  *hung = !child.WaitUntil(child.started() + hang_limit);
  if (*hung) child.KillAndReap();
  *info = child.info();
  *seconds = child.Seconds();
  return true;
}

std::string Tail(const std::string& path, int max_lines) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  std::deque<std::string> lines;
  std::string line;
  while (std::getline(in, line)) {
    lines.push_back(line);
    if (static_cast<int>(lines.size()) > max_lines) lines.pop_front();
  }
  std::string out;
  for (const auto& l : lines) out += "    | " + l.substr(0, 300) + "\n";
  return out;
}

}  // namespace storyline::crash
