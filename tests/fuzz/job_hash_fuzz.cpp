// Input: the fields of a job hash rq:job:<id> as HGETALL returns them, which
// any producer (Python RQ, another language, anyone who can write to Redis)
// controls; plus the two fields of a results-stream entry. Framing (see
// fuzz_input.hpp): records of [field selector byte][2-byte little-endian
// length][value]; tests/fuzz/make_seeds.py writes real hashes this way.
// Runs what the worker and rqctl run on a job: Job::from_hash (data through
// zlib, msgpack or JSON), meta (and the worker's rqcpp_limits reader:
// std::invalid_argument allowed there), the legacy result and exc_info, status,
// timestamps, durations, dependency ids, the description text; and a stream
// entry's base64 return_value / zlib exc_string.
// Asserts: errors are only NoSuchJobError (no data) and DecodeError; a
// decoded call re-encodes with msgpack to exactly the same call, and with
// JSON (when it converts) to a call that is a fixed point of JSON's round
// trip; a timestamp that parses is written back to the same instant.
#include <cstddef>
#include <cstdint>
#include <map>
#include <rqcpp/connection.hpp>
#include <rqcpp/error.hpp>
#include <rqcpp/job.hpp>
#include <rqcpp/serialization.hpp>
#include <rqcpp/timestamp.hpp>
#include <rqcpp/worker/job_limits.hpp>
#include <stdexcept>
#include <string>

#include "fuzz_check.hpp"
#include "fuzz_input.hpp"
#include "unconnected.hpp"

namespace {

using rqcpp::DecodeError;
using rqcpp::JobCall;
using rqcpp::Serializer;

bool same(const JobCall& a, const JobCall& b) {
  return a.func_name == b.func_name && a.args == b.args && a.kwargs == b.kwargs;
}

// Runs f; DecodeError is an accepted outcome, any other exception a finding.
template <class F>
void decode_or_error(F&& f) {
  try {
    f();
  } catch (const DecodeError&) {
  } catch (...) {
    FUZZ_UNEXPECTED_EXCEPTION();
  }
}

void check_call(const JobCall& call) {
  try {
    JobCall back = rqcpp::decode_job_data(rqcpp::encode_job_data(call, Serializer::kMsgpack));
    FUZZ_CHECK(same(back, call));
  } catch (const DecodeError& e) {
    std::fprintf(stderr, "a decoded call does not re-encode as msgpack: %s\n", e.what());
    FUZZ_CHECK(!"msgpack round trip");
  }
  std::string json;
  try {
    json = rqcpp::encode_job_data(call, Serializer::kJson);
  } catch (const DecodeError&) {
    return;  // e.g. bin or ext values have no JSON form
  } catch (...) {
    FUZZ_UNEXPECTED_EXCEPTION();
  }
  try {
    JobCall once = rqcpp::decode_job_data(json);
    JobCall twice = rqcpp::decode_job_data(rqcpp::encode_job_data(once, Serializer::kJson));
    FUZZ_CHECK(same(once, twice));
  } catch (const DecodeError& e) {
    std::fprintf(stderr, "a call written as JSON does not read back: %s\n", e.what());
    FUZZ_CHECK(!"JSON round trip");
  }
  decode_or_error([&] { rqcpp::call_description(call); });
  decode_or_error([&] { rqcpp::msgpack_to_json(call.args); });
}

void check_time(std::optional<rqcpp::Clock::time_point> t) {
  if (t) FUZZ_CHECK(rqcpp::parse_timestamp(rqcpp::format_timestamp(*t)) == t);
}

void check_job(const rqcpp::Job& job) {
  check_call(JobCall{job.func_name(), job.args(), job.kwargs()});
  (void)job.status();
  check_time(job.created_at());
  check_time(job.enqueued_at());
  check_time(job.started_at());
  check_time(job.ended_at());
  (void)job.timeout();
  (void)job.result_ttl();
  (void)job.failure_ttl();
  (void)job.ttl();
  (void)job.retries_left();
  (void)job.dependency_ids();
  decode_or_error([&] {
    std::string meta = job.meta();
    rqcpp::python_repr(meta);
    // What the worker reads from every meta, in its own process.
    try {
      (void)rqcpp::job_limits_from_meta(meta);
    } catch (const std::invalid_argument&) {
    }
  });
  // return_value() and exc_info() read the results stream first; without an
  // entry they fall back to these fields, decoded the same way.
  decode_or_error([&] { rqcpp::decode_value(job.field("result"), job.serializer()); });
  decode_or_error([&] { rqcpp::zlib_decompress(job.field("exc_info")); });
}

// A results-stream entry's fields (Job::latest_result).
void check_result_entry(const std::map<std::string, std::string>& fields, Serializer s) {
  if (auto rv = fields.find("return_value"); rv != fields.end()) {
    decode_or_error([&] { rqcpp::decode_value(rqcpp::base64_decode(rv->second), s); });
  }
  if (auto exc = fields.find("exc_string"); exc != fields.end()) {
    decode_or_error([&] { rqcpp::zlib_decompress(rqcpp::base64_decode(exc->second)); });
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::map<std::string, std::string> fields = rqcpp::fuzz::job_fields(data, size);
  bool has_data = fields.count("data") != 0;
  Serializer serializer = Serializer::kMsgpack;
  try {
    rqcpp::Job job = rqcpp::Job::from_hash(rqcpp::fuzz::unconnected(), "fuzz", fields);
    FUZZ_CHECK(has_data);
    serializer = job.serializer();
    check_job(job);
  } catch (const rqcpp::NoSuchJobError&) {
    FUZZ_CHECK(!has_data);
  } catch (const DecodeError&) {
    FUZZ_CHECK(has_data);
  } catch (...) {
    FUZZ_UNEXPECTED_EXCEPTION();
  }
  check_result_entry(fields, serializer);
  return 0;
}
