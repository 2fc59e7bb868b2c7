// Child processes for the crash harness: fork/exec with output to files,
// waiting until a kill point, SIGKILL, reaping. POSIX only.
//
// Between fork and exec the child calls only async-signal-safe functions
// (chdir, dup2, execv, write, _exit): the harness has threads (the loopback
// feed server), and anything else there could deadlock.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace storyline::crash {

using Clock = std::chrono::steady_clock;  // monotonic: kill points and reports only

// How a child ended.
struct ExitInfo {
  bool exited = false;    // returned from main / called exit
  int code = -1;          // exit code when `exited`
  bool signaled = false;  // ended by a signal
  int signal = 0;
  // "exit 0", "killed by signal 9 (Killed)", "still running".
  std::string Describe() const;
  bool Ok(const std::vector<int>& codes = {0}) const;  // exited with one of `codes`
};

struct SpawnOptions {
  std::vector<std::string> argv;  // argv[0] is the executable (absolute path)
  std::string cwd;                // working directory of the child
  std::string stdout_path;        // truncated
  std::string stderr_path;        // appended to (several runs may share one log)
};

class Child {
 public:
  Child() = default;
  ~Child();  // kills and reaps a child that is still running
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  // Starts the process. False (and `*error`) when it cannot be started; a
  // failing exec shows up later as exit code 127 with a message in the
  // stderr log.
  bool Start(const SpawnOptions& options, std::string* error);

  // Waits until the child exits or `deadline` passes (polling every
  // millisecond). True if it exited (then `info()` is final).
  bool WaitUntil(Clock::time_point deadline);

  // Sends SIGKILL (unless it already ended) and reaps it.
  void KillAndReap();

  bool running() const { return pid_ > 0 && !reaped_; }
  const ExitInfo& info() const { return info_; }
  Clock::time_point started() const { return started_; }
  Clock::time_point ended() const { return ended_; }
  double Seconds() const { return std::chrono::duration<double>(ended_ - started_).count(); }

 private:
  bool Reap(bool block);

  pid_t pid_ = -1;
  bool reaped_ = false;
  ExitInfo info_;
  Clock::time_point started_{};
  Clock::time_point ended_{};
};

// Runs a child to completion. If it is still running after `hang_limit` (a
// liveness guard, not an assertion on speed) it is killed and `*hung` set.
// False if it could not be started.
bool RunToCompletion(const SpawnOptions& options, std::chrono::milliseconds hang_limit,
                     ExitInfo* info, double* seconds, bool* hung, std::string* error);

// The last `max_lines` lines of a text file ("" if unreadable), for messages.
std::string Tail(const std::string& path, int max_lines);

}  // namespace storyline::crash
