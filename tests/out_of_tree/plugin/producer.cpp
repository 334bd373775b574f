// An out-of-tree producer using the installed rqcpp::core:
//   oot_producer URL QUEUE NAME   enqueues greeter:greet(NAME), prints the job id
#include <iostream>
#include <rqcpp/connection.hpp>
#include <rqcpp/error.hpp>
#include <rqcpp/queue.hpp>
#include <string>

int main(int argc, char** argv) {
  if (argc != 4) {
    std::cerr << "usage: oot_producer URL QUEUE NAME\n";
    return 2;
  }
  try {
    rqcpp::Connection conn = rqcpp::Connection::open(argv[1]);
    rqcpp::Queue queue(conn, argv[2]);
    rqcpp::Job job = queue.enqueue("greeter:greet", std::string(argv[3]));
    std::cout << job.id() << "\n";
    return 0;
  } catch (const rqcpp::Error& e) {
    std::cerr << "oot_producer: " << e.what() << "\n";
    return 1;
  }
}
