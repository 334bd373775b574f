// zlib *format* (RFC 1950, header 78 9c at the default level), as Python's
// zlib.compress/decompress: RQ's job data and exception text.
#include <zlib.h>

#include "rqcpp/byte_size.hpp"
#include "rqcpp/error.hpp"
#include "rqcpp/serialization.hpp"

namespace rqcpp {

namespace {

// One deflate and one inflate stream per thread, reset between calls:
// compress2()/inflateInit() allocate and clear ~270 KB of state per call,
// which dominated enqueue (malloc trimming it back with brk each time).
// Same level and window as compress2 (level 6, 32 KB window: header 78 9c).
// Short inputs (job data is typically a few dozen bytes) use memLevel 2:
// deflateReset clears the hash table, 64 KB at memLevel 8, which was a third
// of the client's instructions per enqueue; at memLevel 2 it is 1 KB, and
// an input shorter than the 256-symbol buffer still comes out as one block
// (the same bytes as compress2 for such inputs).
constexpr size_t kShortInput = 200;
struct Deflater {
  explicit Deflater(int mem_level) {
    ok = deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15, mem_level, Z_DEFAULT_STRATEGY) ==
         Z_OK;
  }
  z_stream zs{};
  bool ok = false;
  ~Deflater() {
    if (ok) deflateEnd(&zs);
  }
};
struct Inflater {
  z_stream zs{};
  bool ok = inflateInit(&zs) == Z_OK;
  ~Inflater() {
    if (ok) inflateEnd(&zs);
  }
};

}  // namespace

std::string zlib_compress(std::string_view bytes) {
  thread_local Deflater small(2), large(8);
  Deflater& d = bytes.size() <= kShortInput ? small : large;
  if (!d.ok || deflateReset(&d.zs) != Z_OK) throw DecodeError("zlib: deflateInit failed");
  std::string out(deflateBound(&d.zs, static_cast<uLong>(bytes.size())), '\0');
  d.zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  d.zs.avail_in = static_cast<uInt>(bytes.size());
  d.zs.next_out = reinterpret_cast<Bytef*>(out.data());
  d.zs.avail_out = static_cast<uInt>(out.size());
  int rc = deflate(&d.zs, Z_FINISH);
  if (rc != Z_STREAM_END) throw DecodeError("zlib compression failed (" + std::to_string(rc) + ")");
  out.resize(d.zs.total_out);
  return out;
}

std::string zlib_decompress(std::string_view bytes, std::uint64_t max_size) {
  thread_local Inflater inf;
  if (!inf.ok || inflateReset(&inf.zs) != Z_OK) throw DecodeError("zlib: inflateInit failed");
  z_stream& zs = inf.zs;
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  zs.avail_in = static_cast<uInt>(bytes.size());
  std::string out;
  char buf[16384];
  int rc = Z_OK;
  while (rc == Z_OK) {
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof buf;
    rc = inflate(&zs, Z_NO_FLUSH);
    out.append(buf, sizeof buf - zs.avail_out);
    if (out.size() > max_size) {
      throw SizeLimitError("zlib data inflates to more than " + format_byte_size(max_size));
    }
    if (rc == Z_BUF_ERROR && zs.avail_in == 0) break;  // input ended early
  }
  std::string msg = zs.msg ? zs.msg : "";
  if (rc != Z_STREAM_END) {
    throw DecodeError("not zlib data (" + (msg.empty() ? "incomplete or truncated stream" : msg) +
                      ")");
  }
  return out;
}

}  // namespace rqcpp
