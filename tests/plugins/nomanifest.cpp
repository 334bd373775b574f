// Test plugin "nomanifest": a valid shared object without the
// rqcpp_plugin_manifest symbol. A worker must refuse it.
extern "C" __attribute__((visibility("default"))) int nomanifest_answer(void) {
  return 42;
}
