// OpenUnder: a component-by-component openat walk with O_NOFOLLOW.
//
// Each intermediate component is opened with O_PATH|O_DIRECTORY|O_NOFOLLOW (O_PATH
// needs no read permission and has no side effects), the last with
// O_RDONLY|O_NOFOLLOW|O_NONBLOCK|O_NOCTTY so that a fifo or a terminal planted in the
// trial folder cannot block or take over the reader; fstat then decides. O_NOFOLLOW
// makes open fail with ELOOP on a symlink, which is reported as such. Because every
// step holds a descriptor of the folder it looked in, renaming or swapping a
// component after the check changes nothing: there is no check-then-use gap.
#include "base/safe_open.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace sweep {

UniqueFd& UniqueFd::operator=(UniqueFd&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = o.release();
  }
  return *this;
}

UniqueFd::~UniqueFd() {
  if (fd_ >= 0) ::close(fd_);
}

int UniqueFd::release() {
  int fd = fd_;
  fd_ = -1;
  return fd;
}

namespace {

// Why opening `name` under `dir` (shown to the user as `shown`) failed, in words.
// O_DIRECTORY|O_NOFOLLOW on a link fails with ENOTDIR, not ELOOP, so a failure is
// looked at again without following to name a link as a link.
Status OpenError(int err, int dir, const char* name, const std::string& shown) {
  struct stat st {};
  bool link = err == ELOOP || err == EMLINK ||
              (err == ENOTDIR && ::fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
               S_ISLNK(st.st_mode));
  if (link) {
    return Status::Io(shown +
                      " is a symbolic link; not followed (a trial's folder is read "
                      "without following links)");
  }
  if (err == ENOENT) return Status::NotFound("no such file: " + shown);
  if (err == ENOTDIR) return Status::Io(shown + ": a path component is not a folder");
  return Status::Io("cannot open " + shown + ": " + std::strerror(err));
}

int OpenRetry(int dir, const char* name, int flags) {
  int fd;
  do {
    fd = ::openat(dir, name, flags | O_CLOEXEC | O_NOFOLLOW);
  } while (fd < 0 && errno == EINTR);
  return fd;
}

}  // namespace

Result<SafeFile> OpenUnder(const std::string& base, const std::string& relative) {
  if (base.empty()) return Status::NotFound("no folder to read from");
  if (relative.empty() || relative.front() == '/' || relative.find('\0') != std::string::npos) {
    return Status::Usage("bad file path '" + relative + "'");
  }
  std::vector<std::string> parts;
  for (size_t b = 0; b <= relative.size();) {
    size_t e = relative.find('/', b);
    if (e == std::string::npos) e = relative.size();
    std::string part = relative.substr(b, e - b);
    if (part.empty() || part == "." || part == "..") {
      return Status::Usage("bad file path '" + relative + "'");
    }
    parts.push_back(std::move(part));
    b = e + 1;
  }
  // The base comes from the store (trusted), but it must be a real folder: a trial
  // that replaced its whole folder with a link is refused here.
  UniqueFd dir(OpenRetry(AT_FDCWD, base.c_str(), O_PATH | O_DIRECTORY));
  if (!dir.valid()) {
    int err = errno;  // before anything else can change it
    return OpenError(err, AT_FDCWD, base.c_str(), base);
  }
  std::string shown = base;
  for (size_t i = 0; i + 1 < parts.size(); ++i) {
    shown += "/" + parts[i];
    UniqueFd next(OpenRetry(dir.get(), parts[i].c_str(), O_PATH | O_DIRECTORY));
    if (!next.valid()) {
      int err = errno;
      return OpenError(err, dir.get(), parts[i].c_str(), shown);
    }
    dir = std::move(next);
  }
  shown += "/" + parts.back();
  UniqueFd fd(OpenRetry(dir.get(), parts.back().c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY));
  if (!fd.valid()) {
    int err = errno;
    return OpenError(err, dir.get(), parts.back().c_str(), shown);
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0)
    return Status::Io("cannot stat " + shown + ": " + std::strerror(errno));
  if (!S_ISREG(st.st_mode)) {
    return Status::Io(shown + " is not a regular file; not read");
  }
  // Reads of a regular file never block; clear O_NONBLOCK anyway for plain semantics.
  int flags = ::fcntl(fd.get(), F_GETFL);
  if (flags >= 0) ::fcntl(fd.get(), F_SETFL, flags & ~O_NONBLOCK);
  SafeFile out;
  out.fd = std::move(fd);
  out.size = static_cast<uint64_t>(st.st_size);
  return out;
}

Result<std::string> ReadAt(const SafeFile& file, uint64_t offset, size_t max_bytes) {
  std::string out(max_bytes, '\0');
  size_t got = 0;
  while (got < max_bytes) {
    ssize_t n =
        ::pread(file.fd.get(), out.data() + got, max_bytes - got, static_cast<off_t>(offset + got));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::Io(std::string("read failed: ") + std::strerror(errno));
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  out.resize(got);
  return out;
}

Result<std::string> ReadSmallFileUnder(const std::string& base, const std::string& relative,
                                       size_t max_bytes) {
  auto file = OpenUnder(base, relative);
  if (!file.ok()) return file.status();
  if (file->size > max_bytes) {
    return Status::Usage(relative + " is too large to read (" + std::to_string(file->size) +
                         " bytes, at most " + std::to_string(max_bytes) + ")");
  }
  // Read what fstat reported: a file still growing is cut there, never read unbounded.
  auto text = ReadAt(*file, 0, static_cast<size_t>(file->size));
  if (!text.ok())
    return Status::Io("cannot read " + base + "/" + relative + ": " + text.status().message());
  return text;
}

Status WriteFileNoFollow(const std::string& path, const std::string& text) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (fd < 0) return Status::Io("cannot write '" + path + "': " + std::strerror(errno));
  size_t off = 0;
  while (off < text.size()) {
    ssize_t w = ::write(fd, text.data() + off, text.size() - off);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) {
      int err = errno;
      ::close(fd);
      return Status::Io("cannot write '" + path + "': " + std::strerror(err));
    }
    off += static_cast<size_t>(w);
  }
  ::close(fd);
  return Status::Ok();
}

}  // namespace sweep
