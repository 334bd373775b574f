// The test binary is itself a plugin: its test files register typed job
// functions with RQCPP_JOB and in_process_plugin.cpp defines the manifest.
#pragma once

#include <rqcpp/plugin.h>

#include <string>

namespace rqcpp::test {

// This binary's manifest (the one RQCPP_PLUGIN defined).
const rqcpp_manifest& in_process_manifest();

// A function of that manifest; throws std::runtime_error when not listed.
rqcpp_job_fn in_process_function(const std::string& name);

}  // namespace rqcpp::test
