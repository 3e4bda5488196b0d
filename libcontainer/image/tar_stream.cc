// TarStream: buffered reads from an fd with transparent gzip inflation (zlib's automatic
// gzip/zlib header detection, windowBits 15+32; concatenated gzip members are read in turn, as
// gzip(1) does).

#include <zlib.h>

#include "libcontainer/image/tar_source.h"

namespace grove::image {

namespace {
constexpr std::size_t kReadChunk = 256 * 1024;
}  // namespace

struct TarStream::Z {
  z_stream s{};
  bool live = false;
  ~Z() {
    if (live) inflateEnd(&s);
  }
};

TarStream::TarStream(sys::Ops& ops, int fd) : ops_(ops), fd_(fd), z_(std::make_unique<Z>()) {}
TarStream::~TarStream() = default;

Status TarStream::fill() {
  if (!eof_ && raw_.size() < kReadChunk) {
    GROVE_ASSIGN_OR_RETURN(std::string more, ops_.read(fd_, kReadChunk));
    if (more.empty()) eof_ = true;
    raw_ += more;
  }
  if (!sniffed_) {
    if (raw_.size() < 2 && !eof_) return ok();
    sniffed_ = true;
    gzip_ = raw_.size() >= 2 && static_cast<uint8_t>(raw_[0]) == 0x1f &&
            static_cast<uint8_t>(raw_[1]) == 0x8b;
    if (gzip_) {
      if (inflateInit2(&z_->s, 15 + 32) != Z_OK) return Error::invalid("gzip: inflateInit2 failed");
      z_->live = true;
    }
  }
  if (!gzip_) {
    out_ += raw_;
    raw_.clear();
    return ok();
  }
  if (raw_.empty()) return ok();
  std::string buf(kReadChunk * 4, '\0');
  z_->s.next_in = reinterpret_cast<Bytef*>(raw_.data());
  z_->s.avail_in = static_cast<uInt>(raw_.size());
  z_->s.next_out = reinterpret_cast<Bytef*>(buf.data());
  z_->s.avail_out = static_cast<uInt>(buf.size());
  int rc = inflate(&z_->s, Z_NO_FLUSH);
  if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) {
    return Error::invalid(std::string("gzip: ") + (z_->s.msg ? z_->s.msg : "corrupt stream"));
  }
  out_.append(buf.data(), buf.size() - z_->s.avail_out);
  raw_.erase(0, raw_.size() - z_->s.avail_in);
  if (rc == Z_STREAM_END) {
    // Another member may follow (skip trailing zero padding some writers add).
    std::size_t nz = raw_.find_first_not_of('\0');
    if (nz == std::string::npos) {
      raw_.clear();
    } else {
      raw_.erase(0, nz);
    }
    inflateReset(&z_->s);
  }
  return ok();
}

Result<std::string> TarStream::read(std::size_t n, bool eof_ok) {
  while (out_.size() - head_ < n) {
    if (head_ > 0) {  // compact before growing (reads are small, buffers large)
      out_.erase(0, head_);
      head_ = 0;
    }
    std::size_t before = out_.size() + raw_.size();
    bool was_eof = eof_;
    GROVE_TRY(fill());
    if (was_eof && out_.size() + raw_.size() == before) {
      if (eof_ok && out_.empty()) return std::string();
      return Error::invalid("tar stream truncated");
    }
  }
  std::string r = out_.substr(head_, n);
  head_ += n;
  return r;
}

}  // namespace grove::image
