// Reply: an owning (or borrowed, for array elements) hiredis reply.
#include <hiredis/hiredis.h>

#include <charconv>

#include "rqcpp/connection.hpp"
#include "rqcpp/error.hpp"

namespace rqcpp {

Reply::Reply(redisReply* owned) : reply_(owned), owned_(true) {}
Reply::Reply(redisReply* borrowed, bool owned) : reply_(borrowed), owned_(owned) {}

Reply::Reply(Reply&& other) noexcept : reply_(other.reply_), owned_(other.owned_) {
  other.reply_ = nullptr;
  other.owned_ = false;
}

Reply& Reply::operator=(Reply&& other) noexcept {
  if (this != &other) {
    if (owned_ && reply_) freeReplyObject(reply_);
    reply_ = other.reply_;
    owned_ = other.owned_;
    other.reply_ = nullptr;
    other.owned_ = false;
  }
  return *this;
}

Reply::~Reply() {
  if (owned_ && reply_) freeReplyObject(reply_);
}

Reply::Type Reply::type() const {
  if (reply_ == nullptr) return Type::kNil;
  switch (reply_->type) {
    case REDIS_REPLY_STRING:
      return Type::kString;
    case REDIS_REPLY_ARRAY:
      return Type::kArray;
    case REDIS_REPLY_INTEGER:
      return Type::kInteger;
    case REDIS_REPLY_STATUS:
      return Type::kStatus;
    case REDIS_REPLY_ERROR:
      return Type::kError;
    default:
      return Type::kNil;
  }
}

bool Reply::is_unknown_script() const {
  return is_error() &&
         (str().starts_with("NOSCRIPT") || str().starts_with("ERR Function not found"));
}

std::string_view Reply::str() const {
  switch (type()) {
    case Type::kString:
    case Type::kStatus:
    case Type::kError:
      return {reply_->str, static_cast<size_t>(reply_->len)};
    default:
      return {};
  }
}

long long Reply::integer() const {
  if (type() == Type::kInteger) return reply_->integer;
  if (type() == Type::kString) {
    long long v = 0;
    auto s = str();
    auto r = std::from_chars(s.data(), s.data() + s.size(), v);
    if (r.ec == std::errc() && r.ptr == s.data() + s.size() && !s.empty()) return v;
  }
  throw RedisError("expected an integer reply, got '" + std::string(str().substr(0, 100)) + "'");
}

size_t Reply::size() const {
  return type() == Type::kArray ? reply_->elements : 0;
}

Reply Reply::at(size_t i) const {
  if (i >= size()) return Reply();
  return Reply(reply_->element[i], false);
}

std::vector<std::string> Reply::strings() const {
  std::vector<std::string> out;
  out.reserve(size());
  for (size_t i = 0; i < size(); ++i) out.emplace_back(at(i).str());
  return out;
}

std::map<std::string, std::string> Reply::hash() const {
  std::map<std::string, std::string> out;
  for (size_t i = 0; i + 1 < size(); i += 2) out.emplace(at(i).str(), at(i + 1).str());
  return out;
}

}  // namespace rqcpp
