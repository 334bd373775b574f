// An out-of-tree program using the installed rqcpp::runtime (README's
// SyncQueue):
//   oot_sync URL QUEUE PLUGIN_DIR NAME   runs greeter:greet(NAME) in this
//                                         process, prints the result
#include <iostream>
#include <rqcpp/connection.hpp>
#include <rqcpp/error.hpp>
#include <rqcpp/worker/sync_queue.hpp>
#include <rqcpp/worker/worker.hpp>
#include <string>

int main(int argc, char** argv) {
  if (argc != 5) {
    std::cerr << "usage: oot_sync URL QUEUE PLUGIN_DIR NAME\n";
    return 2;
  }
  try {
    // The worker's option check is part of the installed API too.
    rqcpp::WorkerOptions options;
    options.queues = {argv[2]};
    options.plugin_dir = argv[3];
    options = rqcpp::validate_worker_options(options);

    rqcpp::Connection conn = rqcpp::Connection::open(argv[1]);
    rqcpp::SyncQueue queue(conn, argv[2], argv[3]);
    rqcpp::Job job = queue.enqueue("greeter:greet", std::string(argv[4]));
    std::cout << job.result<std::string>().value_or("<no result>") << "\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "oot_sync: " << e.what() << "\n";
    return 1;
  }
}
