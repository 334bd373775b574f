// Bounded reply objects for hiredis' reader; see reply_reader.hpp.
#include "reply_reader.hpp"

#include <hiredis/hiredis.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <new>

#include "rqcpp/defaults.hpp"

namespace rqcpp::detail {

// The reader whose redisReaderGetReply() is running on this thread: the
// callbacks below are only ever called from inside it.
thread_local ReplyReader* g_current = nullptr;

struct ReplyBuilder {
  // Arrays start with room for this many elements and double as elements
  // arrive, so an array header alone costs nothing like its announced size.
  static constexpr int kInitialRoom = 1024;

  // Links `r` into its parent array (hiredis' createReplyObject does the
  // same, with the array allocated whole up front).
  static void* attach(const redisReadTask* task, redisReply* r) {
    if (task->parent == nullptr) return r;
    auto* parent = static_cast<redisReply*>(task->parent->obj);
    const int idx = task->idx;
    if (idx >= kInitialRoom && (idx & (idx - 1)) == 0) {  // full: grow to 2 idx
      const size_t room = std::min<size_t>(size_t(idx) * 2, size_t(task->parent->elements));
      void* grown = std::realloc(parent->element, room * sizeof(redisReply*));
      if (grown == nullptr) {
        freeReplyObject(r);
        return nullptr;
      }
      parent->element = static_cast<redisReply**>(grown);
    }
    parent->element[idx] = r;
    parent->elements = static_cast<size_t>(idx) + 1;  // freeReplyObject frees these
    return r;
  }

  static redisReply* make(int type) {
    auto* r = static_cast<redisReply*>(std::calloc(1, sizeof(redisReply)));
    if (r != nullptr) r->type = type;
    return r;
  }

  static void* string(const redisReadTask* task, char* str, size_t len) {
    redisReply* r = make(task->type);
    if (r == nullptr) return nullptr;
    r->str = static_cast<char*>(std::malloc(len + 1));
    if (r->str == nullptr) {
      std::free(r);
      return nullptr;
    }
    if (len > 0) std::memcpy(r->str, str, len);
    r->str[len] = '\0';
    r->len = len;
    return attach(task, r);
  }

  static void* array(const redisReadTask* task, int elements) {
    if (elements < 0) {
      g_current->refused_ = "bad array length from Redis";
      return nullptr;
    }
    // Every element of a reply is announced by its array's header, so the
    // sum of the headers bounds the whole reply, nested arrays included.
    if (g_current->elements_ + elements > defaults::kMaxReplyElements) {
      g_current->refused_ = "reply from Redis announces an array of " + std::to_string(elements) +
                            " elements (limit: " + std::to_string(defaults::kMaxReplyElements) +
                            " in one reply)";
      return nullptr;
    }
    g_current->elements_ += elements;
    redisReply* r = make(REDIS_REPLY_ARRAY);
    if (r == nullptr) return nullptr;
    if (elements > 0) {
      const size_t room = std::min(elements, kInitialRoom);
      r->element = static_cast<redisReply**>(std::calloc(room, sizeof(redisReply*)));
      if (r->element == nullptr) {
        std::free(r);
        return nullptr;
      }
    }
    return attach(task, r);
  }

  static void* integer(const redisReadTask* task, long long value) {
    redisReply* r = make(REDIS_REPLY_INTEGER);
    if (r == nullptr) return nullptr;
    r->integer = value;
    return attach(task, r);
  }

  static void* nil(const redisReadTask* task) {
    redisReply* r = make(REDIS_REPLY_NIL);
    return r == nullptr ? nullptr : attach(task, r);
  }

  static void free_object(void* r) { freeReplyObject(r); }
};

namespace {
redisReplyObjectFunctions g_functions{&ReplyBuilder::string, &ReplyBuilder::array,
                                      &ReplyBuilder::integer, &ReplyBuilder::nil,
                                      &ReplyBuilder::free_object};
}  // namespace

ReplyReader::ReplyReader() : reader_(redisReaderCreateWithFunctions(&g_functions)) {
  if (reader_ == nullptr) throw std::bad_alloc();
}

ReplyReader::~ReplyReader() {
  redisReaderFree(reader_);
}

void ReplyReader::feed(const char* data, size_t n) {
  if (redisReaderFeed(reader_, data, n) != REDIS_OK) throw std::bad_alloc();
}

bool ReplyReader::next(redisReply*& reply, std::string& error) {
  void* out = nullptr;
  ReplyReader* const outer = g_current;
  g_current = this;
  const int rc = redisReaderGetReply(reader_, &out);
  g_current = outer;
  if (rc != REDIS_OK) {
    error = !refused_.empty() ? refused_ : reader_->errstr;
    return false;
  }
  reply = static_cast<redisReply*>(out);
  if (reply != nullptr) {
    elements_ = 0;
  } else if (reader_->len - reader_->pos > defaults::kMaxReplyBulkBytes) {
    // hiredis waits for a whole bulk string before building it: refuse to
    // buffer more than the limit for one.
    error = "reply from Redis is larger than " +
            std::to_string(defaults::kMaxReplyBulkBytes >> 20) + " MiB";
    return false;
  }
  return true;
}

}  // namespace rqcpp::detail
