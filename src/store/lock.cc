// The one-writer-per-store lock (store.h).
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <string>

#include "store/store.h"

namespace storyline {

namespace {

std::string ReadHolder(int fd) {
  char buf[64] = {};
  ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
  std::string pid = n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string();
  while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' ')) pid.pop_back();
  return pid.empty() ? std::string("another process") : "process " + pid;
}

}  // namespace

Result<std::unique_ptr<WriterLock>> WriterLock::Acquire(
    const std::string& db_path, bool wait, const std::function<void(const std::string&)>& on_wait) {
  std::unique_ptr<WriterLock> lock(new WriterLock());
  if (db_path.empty() || db_path == ":memory:") return lock;
  if (IsPostgresStore(db_path)) {
    auto held = AcquirePostgresLock(db_path, wait, on_wait);
    if (!held.ok()) return held.status();
    lock->remote_ = std::move(held).value();
    return lock;
  }
  // One lock per database file, however it is named (a symlink, a relative
  // path): the lock sits beside the file SQLite opens.
  std::string real = db_path;
  if (char* r = realpath(db_path.c_str(), nullptr)) {
    real = r;
    free(r);
  } else {
    std::string dir = ".", name = db_path;
    if (auto slash = db_path.rfind('/'); slash != std::string::npos) {
      dir = slash == 0 ? "/" : db_path.substr(0, slash);
      name = db_path.substr(slash + 1);
    }
    if (char* r = realpath(dir.c_str(), nullptr)) {
      real = std::string(r) + (std::string(r) == "/" ? "" : "/") + name;
      free(r);
    }
  }
  const std::string path = real + ".lock";
  int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0)
    return Status::IOError("cannot open the writer lock '" + path + "': " + std::strerror(errno));
  lock->fd_ = fd;
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK)
      return Status::IOError("cannot lock '" + path + "': " + std::strerror(errno));
    std::string holder = ReadHolder(fd);
    if (!wait)
      return Status::IOError("database '" + db_path + "' is being written by " + holder +
                             "; one writer at a time (use --wait to queue behind it)");
    if (on_wait) on_wait(holder);
    while (flock(fd, LOCK_EX) != 0)
      if (errno != EINTR)
        return Status::IOError("cannot lock '" + path + "': " + std::strerror(errno));
  }
  std::string pid = std::to_string(getpid()) + "\n";
  if (ftruncate(fd, 0) != 0 || pwrite(fd, pid.data(), pid.size(), 0) < 0) {
    // The pid is only for messages; the lock itself is held.
  }
  return lock;
}

WriterLock::~WriterLock() {
  if (fd_ >= 0) close(fd_);  // releases the lock
}

}  // namespace storyline
