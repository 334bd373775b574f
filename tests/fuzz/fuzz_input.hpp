// The framing of job_hash_fuzz inputs: a job hash (plus a results-stream
// entry) as a byte string that libFuzzer can mutate and that real hashes are
// easily written in (tests/fuzz/make_seeds.py).
//
//   record := selector:u8  length:u16le  value[length]
//
// The selector picks a field name from kJobFields (modulo its size), so
// mutations stay on fields the readers look at; a record cut short by the
// end of the input keeps what is there. A field given twice keeps the last.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>

namespace rqcpp::fuzz {

inline constexpr std::array<const char*, 22> kJobFields = {"data",
                                                           "meta",
                                                           "status",
                                                           "created_at",
                                                           "enqueued_at",
                                                           "started_at",
                                                           "ended_at",
                                                           "timeout",
                                                           "result_ttl",
                                                           "failure_ttl",
                                                           "ttl",
                                                           "retries_left",
                                                           "dependency_ids",
                                                           "dependency_id",
                                                           "exc_info",
                                                           "result",
                                                           "origin",
                                                           "description",
                                                           "worker_name",
                                                           "return_value",
                                                           "exc_string",
                                                           "allow_dependency_failures"};

inline std::map<std::string, std::string> job_fields(const std::uint8_t* data, std::size_t size) {
  std::map<std::string, std::string> fields;
  std::size_t i = 0;
  while (i < size) {
    const char* name = kJobFields[data[i] % kJobFields.size()];
    std::size_t length = 0;
    if (i + 1 < size) length = data[i + 1];
    if (i + 2 < size) length |= static_cast<std::size_t>(data[i + 2]) << 8;
    i += 3;
    std::size_t start = i < size ? i : size;
    std::size_t end = start + length < size ? start + length : size;
    fields[name] = std::string(reinterpret_cast<const char*>(data) + start, end - start);
    i = end;
  }
  return fields;
}

}  // namespace rqcpp::fuzz
