// The worker's payload limits (--max-data-size, --max-meta-size,
// --max-result-size): a job over one fails with a SizeLimitError naming the
// limit, the worker's memory stays bounded, and the next job runs.
#include <zlib.h>

#include "rqcpp/args.hpp"
#include "rqcpp/error.hpp"
#include "worker_fixture.hpp"

using namespace rqcpp;
using namespace rqcpp::test;
using Catch::Matchers::Contains;

namespace {

// A zlib stream of `prefix` followed by `zeros` zero bytes, built in 1 MiB
// steps so the test never holds the inflated bytes (1 GiB -> about 1 MiB).
std::string zlib_bomb(const std::string& prefix, size_t zeros) {
  z_stream zs{};
  // Z_RLE: runs of zeros at about 1000:1, and fast.
  REQUIRE(deflateInit2(&zs, Z_BEST_COMPRESSION, Z_DEFLATED, 15, 8, Z_RLE) == Z_OK);
  std::string out;
  std::vector<char> chunk(1 << 20, '\0');
  std::vector<char> buf(1 << 16);
  auto pump = [&](const char* data, size_t n, int flush) {
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data));
    zs.avail_in = static_cast<uInt>(n);
    do {
      zs.next_out = reinterpret_cast<Bytef*>(buf.data());
      zs.avail_out = static_cast<uInt>(buf.size());
      deflate(&zs, flush);
      out.append(buf.data(), buf.size() - zs.avail_out);
    } while (zs.avail_out == 0);
  };
  pump(prefix.data(), prefix.size(), Z_NO_FLUSH);
  for (size_t left = zeros; left > 0;) {
    const size_t n = std::min(left, chunk.size());
    left -= n;
    pump(chunk.data(), n, left == 0 ? Z_FINISH : Z_NO_FLUSH);
  }
  deflateEnd(&zs);
  return out;
}

// msgpack ["builtin:echo", nil, [<bin32 of n bytes>], {}] up to the bin's
// header; the bytes follow as zeros.
std::string echo_bin_prefix(uint32_t n) {
  std::string p =
      "\x94\xac"
      "builtin:echo"
      "\xc0\x91\xc6";
  for (int shift = 24; shift >= 0; shift -= 8) p += static_cast<char>((n >> shift) & 0xff);
  return p;
}

}  // namespace

// Defect: 1 MiB of zlib that inflates to 1 GiB was inflated in the worker
// process before any fork, with no cap (1.06 GB RSS, 11.7 s).
TEST_CASE("a zlib bomb in job data fails at the data limit, fast, and the worker goes on",
          "[worker][limits]") {
  WorkerFixture f;
  const size_t gib = size_t{1} << 30;
  const std::string bomb = zlib_bomb(echo_bin_prefix(static_cast<uint32_t>(gib)), gib);
  CHECK(bomb.size() < 2 * (1 << 20));
  write_raw_job(f.conn, "bombs", "bomb", bomb);
  Queue q(f.conn, "bombs");
  const std::string after = q.enqueue("builtin:add", 1, 2).id();
  const auto start = std::chrono::steady_clock::now();
  RunResult r = f.burst({"bombs"});
  const double took =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  INFO(r.err);
  CHECK(f.status("bomb") == "failed");
  CHECK_THAT(f.exc_info("bomb"), Contains("SizeLimitError: job data is larger than 64 MiB"));
  CHECK_THAT(f.exc_info("bomb"), Contains("--max-data-size"));
  CHECK(f.status(after) == "finished");
  // Inflating 64 MiB and stopping takes a fraction of a second; the whole
  // gigabyte took over 10 s.
  CHECK(took < 8.0);

  // Readers (rqctl job, the C++ API) stop at the same limit and still show the job.
  Job job = Job::fetch_readable(f.conn, "bomb");
  CHECK_THAT(job.data_error(), Contains("larger than 64 MiB"));
  CHECK_THROWS_AS(Job::fetch(f.conn, "bomb"), SizeLimitError);
}

TEST_CASE("the payload limit options fail the jobs that cross them", "[worker][limits]") {
  WorkerFixture f;
  Queue q(f.conn, "limits");
  const std::string big(4096, 'x');
  const std::string data_job = q.enqueue("builtin:echo", big).id();
  const std::string result_job =
      q.enqueue_call("builtin:echo_kwargs", Args().kwarg("k", std::string(1500, 'y'))).id();
  EnqueueOptions with_meta;
  with_meta.meta = Args().kwarg("note", big).kwargs_msgpack();  // {"note": <4 KiB>}
  const std::string meta_job = q.enqueue_call("builtin:add", Args::of(1, 2), with_meta).id();
  const std::string small = q.enqueue("builtin:add", 2, 3).id();

  f.burst({"limits", "--max-data-size", "2K", "--max-meta-size", "1K", "--max-result-size", "1K"});

  CHECK(f.status(data_job) == "failed");
  CHECK_THAT(f.exc_info(data_job), Contains("job data is larger than 2 KiB"));
  CHECK(f.status(meta_job) == "failed");
  CHECK_THAT(f.exc_info(meta_job), Contains("SizeLimitError: the job's meta is"));
  CHECK_THAT(f.exc_info(meta_job), Contains("more than 1 KiB (rqworker --max-meta-size)"));
  CHECK(f.status(result_job) == "failed");
  CHECK_THAT(f.exc_info(result_job), Contains("SizeLimitError: the job's result is"));
  CHECK_THAT(f.exc_info(result_job), Contains("--max-result-size"));
  CHECK(f.status(small) == "finished");
}

TEST_CASE("a horse sending more than the limits allow is killed and its job fails",
          "[worker][limits]") {
  WorkerFixture f;
  Queue q(f.conn, "huge");
  // 3 MiB of result: over 1K + 1K + the 1 MiB allowed for error texts.
  const std::string id = q.enqueue("builtin:echo", std::string(3 << 20, 'z')).id();
  const std::string after = q.enqueue("builtin:add", 1, 1).id();
  f.burst({"huge", "--max-meta-size", "1K", "--max-result-size", "1K"});
  CHECK(f.status(id) == "failed");
  CHECK_THAT(f.exc_info(id),
             Contains("SizeLimitError: the work horse sent an outcome of more than"));
  CHECK(f.status(after) == "finished");
}

TEST_CASE("payload limit options are checked at start", "[worker][limits]") {
  WorkerFixture f;
  RunResult bad = run(f.worker_argv({"--burst", "--max-meta-size", "12Q", "q"}));
  CHECK(bad.exit_code == 2);
  CHECK_THAT(bad.err, Contains("--max-meta-size: "));
  RunResult tiny = run(f.worker_argv({"--burst", "--max-result-size", "10", "q"}));
  CHECK(tiny.exit_code == 2);
  CHECK_THAT(tiny.err, Contains("--max-result-size must be at least 1 KiB"));
}
