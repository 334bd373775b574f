// Internal: the job hash an enqueue writes (RQ's Job.to_dict order,
// docs/redis-layout.md 2 and 3.1), shared by the one-job paths (enqueue.cpp)
// and enqueue_many (batch_enqueue.cpp), so both write the same fields.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "rqcpp/queue.hpp"
#include "rqcpp/timestamp.hpp"
#include "script_call.hpp"

namespace rqcpp::detail {

// Throws std::invalid_argument for every option enqueue_call rejects (see
// queue.hpp), and returns the job's `meta` field as the serializer writes it
// ("" for none). No Redis access.
std::string check_enqueue(std::string_view func_name, const EnqueueOptions& o,
                          Serializer serializer);

// A call as stored: the decoded form, `data` and RQ's default description.
struct EncodedCall {
  Serializer serializer = Serializer::kMsgpack;
  JobCall call;
  std::string data;         // zlib(serializer.dumps([func_name, None, args, kwargs]))
  std::string description;  // func_name(args..., k=v...), as RQ's get_call_string
};

// Encodes func_name(args) into `out`. When `out` already holds the same
// call (func_name, args and kwargs bytes, serializer) the encoding is kept:
// both are pure functions of the call, so repeated identical calls (a batch
// of them, or one enqueue after another) pay zlib and repr once. Throws
// DecodeError for args that are not msgpack (Args are valid by
// construction).
void encode_call(std::string_view func_name, const Args& args, Serializer serializer,
                 EncodedCall& out);

// One job's hash fields in RQ's Job.to_dict order, without status and
// enqueued_at (written by the scripts). Names are static strings.
// Hash field names (static strings) and values, in the order written.
using FieldList = std::vector<std::pair<std::string_view, std::string>>;

struct EnqueueFields {
  std::string id;
  FieldList list;
};

// The fields of a job of `queue` checked by check_enqueue (whose `meta` it
// returned), created at `ts`. The id is options.job_id or a fresh uuid4.
EnqueueFields build_fields(const std::string& queue, const EncodedCall& encoded,
                           const EnqueueOptions& o, std::string meta, const std::string& ts);

// The arguments of one enqueue.lua call for job `f` (copies: the call
// outlives nothing).
ScriptCall enqueue_script_call(const std::string& queue, const EnqueueFields& f,
                               const EnqueueOptions& o, Clock::time_point now,
                               const std::string& ts);

// The hash as written: the job's fields `list` (EnqueueFields::list, whose
// values it takes) plus status, and enqueued_at when the status is "queued".
std::map<std::string, std::string> written_hash(FieldList&& list, std::string_view status,
                                                const std::string& enqueued_at);

// written_hash for many jobs of one shape (the same field names in the same
// order, as `shape`), all with status "queued": the key order is sorted
// once, so each map is built by appending in order (no key comparisons on
// the way down the tree). Building these maps is still about half of the
// client's instructions per batched job: one node per field.
class QueuedHashBuilder {
 public:
  explicit QueuedHashBuilder(const EnqueueFields& shape);
  // Moves the values out of `f`, which must have the shape given.
  std::map<std::string, std::string> build(EnqueueFields&& f, const std::string& enqueued_at) const;

 private:
  std::vector<int> order_;  // indexes into the list; kStatus, kEnqueuedAt
  static constexpr int kStatus = -1, kEnqueuedAt = -2;
};

}  // namespace rqcpp::detail
