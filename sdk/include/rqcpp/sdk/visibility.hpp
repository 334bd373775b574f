// Symbol visibility for the SDK.
//
// A plugin must export exactly one symbol, rqcpp_plugin_manifest
// (RQCPP_SDK_EXPORT). The SDK's internals (the function registry, the current
// job slot, the generated entry points) live in namespace rqcpp::sdk_detail,
// opened everywhere as `namespace RQCPP_SDK_HIDDEN sdk_detail`, so that each
// plugin keeps its own copy even when it is built without
// -fvisibility=hidden: otherwise g++ makes the statics of inline functions
// process-wide unique symbols, and two plugins loaded into one process would
// share one registry.
#pragma once

// Marks a namespace or declaration as not exported from the shared object.
#define RQCPP_SDK_HIDDEN [[gnu::visibility("hidden")]]

// Marks a declaration as exported from the shared object.
#define RQCPP_SDK_EXPORT [[gnu::visibility("default")]]
