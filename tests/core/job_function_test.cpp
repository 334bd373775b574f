// JobFunction / TypedJobFunction: RQ's @job decorator.
#include "rqcpp/job_function.hpp"

#include <catch2/catch.hpp>

#include "redis_server.hpp"
#include "rqcpp/connection.hpp"
#include "test_helpers.hpp"

using namespace rqcpp;
using rqcpp::test::hex;

namespace {

template <class F, class... A>
concept CanDelay = requires(F& f, A... args) {
  f.delay(args...);
};

using Add = TypedJobFunction<int(int, int)>;
static_assert(CanDelay<Add, int, int>);
static_assert(CanDelay<Add, short, long>);  // converted to the parameter types
static_assert(!CanDelay<Add, int>);
static_assert(!CanDelay<Add, int, int, int>);
static_assert(!CanDelay<Add, int, std::string>);
static_assert(std::is_same_v<Add::result_type, int>);

}  // namespace

TEST_CASE("delay enqueues calls with the handle's queue and default options", "[job_function]") {
  test::RedisServer redis;
  Connection c = Connection::open(redis.url());
  EnqueueOptions defaults;
  defaults.job_timeout = 30;
  defaults.result_ttl = 60;
  JobFunction add(c, "fq", "mylib:add", defaults);
  CHECK(add.func_name() == "mylib:add");
  CHECK(add.queue_name() == "fq");

  Job a = add.delay(2, 3);
  CHECK(a.func_name() == "mylib:add");
  CHECK(hex(a.args()) == "92 02 03");
  CHECK(a.origin() == "fq");
  CHECK(a.timeout() == 30);
  CHECK(a.result_ttl() == 60);
  CHECK(a.status() == JobStatus::kQueued);

  // Override form: start from the defaults, change what differs.
  EnqueueOptions o = add.options();
  o.at_front = true;
  o.job_id = "custom-id";
  Job b = add.delay_with(o, 4, 5);
  CHECK(b.id() == "custom-id");
  CHECK(b.timeout() == 30);
  CHECK(c.checked({"LRANGE", "rq:queue:fq", "0", "-1"}).strings() ==
        std::vector<std::string>{"custom-id", a.id()});

  Job k = add.call(Args::of(1).kwarg("b", 2));
  CHECK(hex(k.kwargs()) == "81 a1 62 02");

  Job s = add.delay_in(std::chrono::hours(1), 1, 1);
  CHECK(s.status() == JobStatus::kScheduled);

  JobFunction bad(c, "fq", "no-colon");
  CHECK_THROWS_AS(bad.delay(1), std::invalid_argument);
  CHECK_THROWS_AS(JobFunction(c, "", "lib:f"), std::invalid_argument);
}

TEST_CASE("a typed handle converts arguments to the declared parameters", "[job_function]") {
  test::RedisServer redis;
  Connection c = Connection::open(redis.url());
  TypedJobFunction<std::string(const std::string&, double)> fmt(c, "fq", "mylib:fmt");
  Job j = fmt.delay("x", 2);  // const char* -> std::string, int -> double (float64)
  CHECK(hex(j.args()) == "92 a1 78 cb 40 00 00 00 00 00 00 00");
  EnqueueOptions o = fmt.options();
  o.description = "formatting";
  Job d = fmt.delay_with(o, "y", 1.5);
  CHECK(d.description() == "formatting");
  Job at = fmt.delay_at(Clock::now() + std::chrono::hours(1), "z", 0.5);
  CHECK(at.status() == JobStatus::kScheduled);
}
