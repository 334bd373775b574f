// RQ's dequeue strategies: queue order for the next take.
#include "worker/dequeue_strategy.hpp"

#include <algorithm>

namespace rqcpp {

std::vector<std::string> next_queue_order(DequeueStrategy strategy,
                                          std::vector<std::string> current,
                                          const std::string& last_queue, std::mt19937& rng) {
  switch (strategy) {
    case DequeueStrategy::kDefault:
      break;
    case DequeueStrategy::kRoundRobin: {
      auto it = std::find(current.begin(), current.end(), last_queue);
      if (it != current.end()) std::rotate(current.begin(), it + 1, current.end());
      break;
    }
    case DequeueStrategy::kRandom:
      std::shuffle(current.begin(), current.end(), rng);
      break;
  }
  return current;
}

}  // namespace rqcpp
