// zlib *format* (RFC 1950, header 78 9c at the default level), as Python's
// zlib.compress/decompress: RQ's job data and exception text.
#include <zlib.h>

#include "rqcpp/error.hpp"
#include "rqcpp/serialization.hpp"

namespace rqcpp {

std::string zlib_compress(std::string_view bytes) {
  uLongf size = compressBound(static_cast<uLong>(bytes.size()));
  std::string out(size, '\0');
  int rc = compress2(reinterpret_cast<Bytef*>(out.data()), &size,
                     reinterpret_cast<const Bytef*>(bytes.data()), static_cast<uLong>(bytes.size()),
                     Z_DEFAULT_COMPRESSION);
  if (rc != Z_OK) throw DecodeError("zlib compression failed (" + std::to_string(rc) + ")");
  out.resize(size);
  return out;
}

std::string zlib_decompress(std::string_view bytes) {
  z_stream zs{};
  if (inflateInit(&zs) != Z_OK) throw DecodeError("zlib: inflateInit failed");
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
    if (rc == Z_BUF_ERROR && zs.avail_in == 0) break;  // input ended early
  }
  std::string msg = zs.msg ? zs.msg : "";
  inflateEnd(&zs);
  if (rc != Z_STREAM_END) {
    throw DecodeError("not zlib data (" + (msg.empty() ? "incomplete or truncated stream" : msg) +
                      ")");
  }
  return out;
}

}  // namespace rqcpp
