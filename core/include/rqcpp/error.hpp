// Exceptions thrown by the rqcpp core library.
//
// Every fallible public call documents which of these it throws. All derive
// from rqcpp::Error so a front-end can catch one type and print what().
#pragma once

#include <stdexcept>
#include <string>

namespace rqcpp {

// Base of every rqcpp error; what() is one human-readable line.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Redis could not be reached, the connection broke, or a command failed at
// the protocol level. The operation may or may not have been applied.
class RedisError : public Error {
 public:
  using Error::Error;
};

// A Redis URL that cannot be parsed or uses an unsupported scheme.
class UrlError : public Error {
 public:
  using Error::Error;
};

// No job hash exists for the requested id (never created, deleted, expired).
class NoSuchJobError : public Error {
 public:
  using Error::Error;
};

// Bytes that should hold a job's data, meta or result but do not decode:
// bad zlib, bad msgpack, bad JSON, or the wrong shape.
class DecodeError : public Error {
 public:
  using Error::Error;
};

// Bytes larger than a configured limit (a job's inflated data, meta or
// result): a DecodeError, so callers that show what cannot be decoded show
// this too, but never the "raw bytes" fallback a corrupt zlib stream gets.
class SizeLimitError : public DecodeError {
 public:
  using DecodeError::DecodeError;
};

// An operation that the job's current state does not allow (e.g. requeueing a
// job that is not failed, cancelling a canceled job).
class InvalidJobOperation : public Error {
 public:
  using Error::Error;
};

}  // namespace rqcpp
