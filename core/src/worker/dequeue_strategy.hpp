// RQ's dequeue strategies (Worker / RoundRobinWorker / RandomWorker): the
// order in which the take script tries the worker's queues next.
#pragma once

#include <random>
#include <string>
#include <vector>

#include "rqcpp/worker/worker.hpp"

namespace rqcpp {

// The queue order after a job was taken from `last_queue`:
// - kDefault: `current` unchanged (strict priority);
// - kRoundRobin: the queues after `last_queue` first, then up to and
//   including it (RQ's RoundRobinWorker.reorder_queues);
// - kRandom: `current` shuffled with `rng` (RQ's RandomWorker).
// A `last_queue` not in `current` leaves round robin unchanged.
std::vector<std::string> next_queue_order(DequeueStrategy strategy,
                                          std::vector<std::string> current,
                                          const std::string& last_queue, std::mt19937& rng);

}  // namespace rqcpp
