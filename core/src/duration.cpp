// Duration: seconds from a number or RQ's timeout text.
#include "rqcpp/queue.hpp"
#include "rqcpp/timestamp.hpp"

namespace rqcpp {

Duration::Duration(std::string_view text) : seconds(parse_duration(text)) {}

}  // namespace rqcpp
