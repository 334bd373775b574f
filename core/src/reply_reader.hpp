// hiredis' RESP reader with bounded replies: the reply objects are hiredis'
// own redisReply (freed with freeReplyObject, hiredis 0.14 allocates with
// plain malloc) but built here, so that a broken or hostile server cannot
// make the client allocate more than defaults::kMaxReplyElements elements
// and defaults::kMaxReplyBulkBytes bytes for one reply (issue 10, defect 8).
#pragma once

#include <cstddef>
#include <string>

struct redisReader;
struct redisReply;

namespace rqcpp::detail {

// Owns one redisReader. Not thread-safe, not movable (the reader's callbacks
// find their counters through it).
class ReplyReader {
 public:
  ReplyReader();  // throws std::bad_alloc
  ~ReplyReader();
  ReplyReader(const ReplyReader&) = delete;
  ReplyReader& operator=(const ReplyReader&) = delete;

  // Appends bytes read from the server.
  void feed(const char* data, size_t n);
  // The next complete reply, owned by the caller (freeReplyObject), or
  // nullptr while none is complete. Returns false instead (and sets
  // `error`) for a protocol error or a reply over the limits; the reader is
  // unusable after that (the connection must be dropped).
  bool next(redisReply*& reply, std::string& error);

 private:
  redisReader* reader_;
  // Elements the arrays of the reply being read announced (reset when one
  // completes); why the last array was refused.
  long long elements_ = 0;
  std::string refused_;
  friend struct ReplyBuilder;
};

}  // namespace rqcpp::detail
