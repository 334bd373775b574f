// Controlling running workers the way RQ does (docs/redis-layout.md 1.6, 1.7):
// suspension and pub/sub worker commands. Python RQ workers and rqworker
// react the same way to both.
#pragma once

#include <optional>
#include <string>

namespace rqcpp {

class Connection;

// RQ's suspend(): SET rq:suspended 1, with EXPIRE rq:suspended `seconds`
// when a duration is given (the suspension then ends by itself). Workers
// stop taking jobs (state "suspended", a running job finishes; burst
// workers exit). Throws std::invalid_argument for seconds < 1, RedisError.
void suspend_workers(Connection& conn, std::optional<long long> seconds = std::nullopt);

// RQ's resume(): DEL rq:suspended. Throws RedisError.
void resume_workers(Connection& conn);

// Whether rq:suspended exists. Throws RedisError.
bool workers_suspended(Connection& conn);

// PUBLISH rq:pubsub:<worker> {"command": "shutdown"} (Python json.dumps
// spacing): warm shutdown of that worker. Returns how many subscribers got
// it (0: no such live worker listening). Throws RedisError.
long long send_shutdown_command(Connection& conn, const std::string& worker_name);

// PUBLISH rq:pubsub:<worker> {"command": "kill-horse"}: SIGKILLs the work
// horse of the job the worker runs (that job fails). Returns the number of
// receivers. Throws RedisError.
long long send_kill_horse_command(Connection& conn, const std::string& worker_name);

// RQ's send_stop_job_command: reads the job's worker_name and PUBLISHes
// {"command": "stop-job", "job_id": "<id>"} to that worker (the job becomes
// "stopped"). Returns the number of receivers. Throws NoSuchJobError when
// the job hash is gone, InvalidJobOperation when it names no worker (not
// started), RedisError.
long long send_stop_job_command(Connection& conn, const std::string& job_id);

}  // namespace rqcpp
