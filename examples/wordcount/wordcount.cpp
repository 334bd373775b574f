// The wordcount example plugin: the smallest useful rqcpp plugin.
//
//   rqctl enqueue default wordcount:count_words '"the quick brown fox"'   -> 4
//
// Words are maximal runs of non-white-space characters (as Python's
// str.split() with no argument, for ASCII white space).
#include <cctype>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <istream>
#include <iterator>
#include <rqcpp/sdk.hpp>
#include <string>
#include <string_view>

namespace wordcount {
namespace {

bool is_space(char c) {
  return std::isspace(static_cast<unsigned char>(c)) != 0;
}

// Counts words in a stream of characters.
template <class It>
std::int64_t count(It begin, It end) {
  std::int64_t words = 0;
  bool in_word = false;
  for (; begin != end; ++begin) {
    const bool space = is_space(*begin);
    if (!space && !in_word) ++words;
    in_word = !space;
  }
  return words;
}

}  // namespace

std::int64_t count_words(std::string_view text) {
  return count(text.begin(), text.end());
}

std::int64_t count_words_in_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const int err = errno;
    throw rqcpp::JobError(
        err == ENOENT ? "FileNotFoundError" : "OSError",
        "count_words_in_file(): cannot open '" + path + "': " + std::strerror(err));
  }
  std::int64_t words = count(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  if (in.bad()) {
    throw rqcpp::JobError("OSError", "count_words_in_file(): error reading '" + path + "'");
  }
  return words;
}

}  // namespace wordcount

RQCPP_JOB(wordcount::count_words, "Counts the white-space separated words of a text");
RQCPP_JOB(wordcount::count_words_in_file, "Counts the white-space separated words of a file");

RQCPP_PLUGIN("wordcount", "1.0.0");
