// bench_client: the C++ side of bench/run_bench.py.
//   bench_client URL QUEUE single N        one enqueue_call per job
//   bench_client URL QUEUE single-distinct N   the same with builtin:add(i, 1)
//   bench_client URL QUEUE many N BATCH    enqueue_many, BATCH jobs per round trip
//   bench_client URL QUEUE many-distinct N BATCH
//                                          the same with builtin:add(i, 1): every
//                                          job's data differs (no encoding memo)
//   bench_client URL QUEUE paced N MS      one job every MS milliseconds
// Jobs are builtin:add(1, 2) unless said otherwise. Prints one line "seconds=<s> jobs=<n>"
// (wall time of the enqueue phase) and nothing else on stdout.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <thread>
#include <vector>

#include "rqcpp/connection.hpp"
#include "rqcpp/queue.hpp"

int main(int argc, char** argv) {
  if (argc < 5) {
    std::fprintf(stderr,
                 "usage: bench_client URL QUEUE single|many|many-distinct|paced N [BATCH|MS]\n");
    return 2;
  }
  try {
    const std::string mode = argv[3];
    const long n = std::atol(argv[4]);
    const long extra = argc > 5 ? std::atol(argv[5]) : 0;
    rqcpp::Connection conn = rqcpp::Connection::open(argv[1]);
    rqcpp::Queue q(conn, argv[2]);
    const auto t0 = std::chrono::steady_clock::now();
    if (mode == "single") {
      for (long i = 0; i < n; ++i) q.enqueue("builtin:add", 1, 2);
    } else if (mode == "single-distinct") {  // every call's args differ
      for (long i = 0; i < n; ++i) q.enqueue("builtin:add", i, 1);
    } else if (mode == "many" || mode == "many-distinct") {
      const long batch = extra > 0 ? extra : 1000;
      const bool distinct = mode == "many-distinct";
      std::vector<rqcpp::JobSpec> specs;
      for (long done = 0; done < n; done += batch) {
        specs.clear();
        for (long i = done; i < n && i < done + batch; ++i) {
          specs.push_back(rqcpp::JobSpec{
              "builtin:add", distinct ? rqcpp::Args::of(i, 1) : rqcpp::Args::of(1, 2), {}});
        }
        q.enqueue_many(specs);
      }
    } else if (mode == "paced") {
      const auto step = std::chrono::milliseconds(extra > 0 ? extra : 10);
      auto next = std::chrono::steady_clock::now();
      for (long i = 0; i < n; ++i) {
        std::this_thread::sleep_until(next);
        q.enqueue("builtin:add", 1, 2);
        next += step;
      }
    } else {
      std::fprintf(stderr, "bench_client: unknown mode %s\n", mode.c_str());
      return 2;
    }
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("seconds=%.6f jobs=%ld\n", s, n);
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_client: %s\n", e.what());
    return 1;
  }
}
