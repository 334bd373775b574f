// A C++ producer: enqueue wordcount:count_words(TEXT) with the core API,
// wait (bounded) for a worker to run it, print the result.
//
//   example_producer [--url URL] [--queue QUEUE] [--wait-timeout SECONDS] TEXT
//
// Start a worker first, e.g. `rqworker --plugin-dir build/plugins default`.
// Exit codes: 0 finished, 1 the job failed (error text on stderr),
// 2 bad usage, 3 Redis error, 4 timed out waiting.
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <rqcpp/connection.hpp>
#include <rqcpp/error.hpp>
#include <rqcpp/queue.hpp>
#include <rqcpp/redis_url.hpp>
#include <rqcpp/serialization.hpp>
#include <string>
#include <string_view>
#include <thread>

namespace {

struct Options {
  std::string url = rqcpp::default_redis_url();
  std::string queue = "default";
  double wait_seconds = 30;
  std::string text;
};

int usage(const char* why) {
  std::cerr
      << "example_producer: " << why << "\n"
      << "usage: example_producer [--url URL] [--queue QUEUE] [--wait-timeout SECONDS] TEXT\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  Options opt;
  bool have_text = false;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    const bool has_value = i + 1 < argc;
    if (arg == "--url" && has_value) {
      opt.url = argv[++i];
    } else if (arg == "--queue" && has_value) {
      opt.queue = argv[++i];
    } else if (arg == "--wait-timeout" && has_value) {
      opt.wait_seconds = std::atof(argv[++i]);
    } else if (arg.substr(0, 2) == "--" || have_text) {
      return usage(("unexpected argument " + std::string(arg)).c_str());
    } else {
      opt.text = arg;
      have_text = true;
    }
  }
  if (!have_text) return usage("missing TEXT");

  try {
    rqcpp::Connection conn = rqcpp::Connection::open(opt.url);
    rqcpp::Queue queue(conn, opt.queue);
    rqcpp::Job job = queue.enqueue("wordcount:count_words", opt.text);
    std::cout << "enqueued " << job.id() << " on queue " << opt.queue << std::endl;

    // Polling the status field is one small round trip; a real producer
    // might instead do other work and come back later.
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::duration<double>(opt.wait_seconds);
    for (;;) {
      const std::optional<rqcpp::JobStatus> status = job.fetch_status();
      if (status == rqcpp::JobStatus::kFinished) {
        job.refresh();
        const std::optional<std::string> value = job.return_value();
        std::cout << "result: " << (value ? rqcpp::msgpack_to_json(*value) : "null") << std::endl;
        return 0;
      }
      if (status == rqcpp::JobStatus::kFailed || status == rqcpp::JobStatus::kStopped ||
          status == rqcpp::JobStatus::kCanceled) {
        std::cerr << "job " << job.id() << " " << rqcpp::to_string(*status) << ":\n"
                  << job.exc_info().value_or("(no error text)") << std::endl;
        return 1;
      }
      if (std::chrono::steady_clock::now() >= deadline) {
        std::cerr << "timed out waiting for job " << job.id() << " (status "
                  << (status ? rqcpp::to_string(*status) : "unknown")
                  << "); is a worker running on " << opt.queue << "?" << std::endl;
        return 4;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  } catch (const rqcpp::RedisError& e) {
    std::cerr << "example_producer: " << e.what() << std::endl;
    return 3;
  } catch (const rqcpp::UrlError& e) {
    std::cerr << "example_producer: " << e.what() << std::endl;
    return 3;
  } catch (const std::exception& e) {
    std::cerr << "example_producer: " << e.what() << std::endl;
    return 1;
  }
}
