/* rqcpp plugin ABI: the only contract between rqworker and a job plugin.
 *
 * A plugin is a shared object in the worker's plugin directory. It exports one
 * symbol, rqcpp_plugin_manifest, returning a manifest that lists the job
 * functions it offers. A job names a function as "libname:function"; the worker
 * calls only functions listed in the manifest, never an arbitrary exported
 * symbol, so "libc:system" cannot be reached.
 *
 * Data crosses the boundary as msgpack: a job's positional arguments are a
 * msgpack array, its keyword arguments a msgpack map with string keys, its
 * result any msgpack value.
 *
 * Ownership: every pointer the host passes in (args, kwargs, the context and
 * the strings and buffers it points to) is owned by the host and valid only
 * during the call. Every buffer or string the plugin passes to a context
 * callback is copied by the host before the callback returns; the plugin keeps
 * ownership of its own memory. Nothing allocated on one side is freed on the
 * other.
 *
 * Loading: the forking worker loads a plugin into its own process once a work
 * horse has loaded it, and forks later horses from there. Load-time code
 * (static constructors, __attribute__((constructor))) must therefore not start
 * threads, open connections or take locks: do that inside a job function.
 *
 * This header is C so that plugins can be written in any language with a C
 * FFI; C++ authors use <rqcpp/sdk.hpp> on top of it.
 */
#ifndef RQCPP_PLUGIN_H_
#define RQCPP_PLUGIN_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A C header (plugins may be written in C): typedef and (void) stay.
 * NOLINTBEGIN(modernize-use-using, modernize-redundant-void-arg) */

/* Bumped on any incompatible change of the structs or calling rules below.
 * The worker refuses (fails the job with a clear message) a plugin whose
 * manifest carries another version. */
#define RQCPP_ABI_VERSION 1u

/* The name of the one symbol a plugin must export. */
#define RQCPP_MANIFEST_SYMBOL "rqcpp_plugin_manifest"

/* Return codes of a job function. */
#define RQCPP_OK 0
#define RQCPP_ERROR 1

typedef struct rqcpp_context rqcpp_context;

/* Per-call context handed to a job function by the host. All fields are
 * read-only for the plugin; change state only through the callbacks. */
struct rqcpp_context {
  uint32_t abi_version; /* RQCPP_ABI_VERSION of the host */
  uint32_t struct_size; /* sizeof(rqcpp_context) of the host, for growth */

  const char* job_id;    /* NUL-terminated */
  const char* origin;    /* queue name the job came from */
  const char* func_name; /* "libname:function" as enqueued */

  /* The job's meta as a msgpack map (an empty map when the job has none).
   * Updated by set_meta; valid until the next set_meta or the end of the call. */
  const uint8_t* meta;
  size_t meta_size;

  void* host; /* opaque host state; do not touch */

  /* Replaces the job's meta with `data` (a msgpack map). The host copies it and
   * writes it with the job's outcome. Returns RQCPP_OK, or RQCPP_ERROR when
   * data is not a msgpack map (meta unchanged). */
  int (*set_meta)(rqcpp_context* ctx, const uint8_t* data, size_t size);

  /* Writes the current meta to Redis now, while the job runs, so producers can
   * watch progress. Returns RQCPP_OK, or RQCPP_ERROR when Redis could not be
   * reached (the meta is still written with the outcome). */
  int (*save_meta)(rqcpp_context* ctx);

  /* Sets the job's return value (one msgpack value, copied). A function that
   * returns RQCPP_OK without calling it returns nil. Calling it again replaces
   * the value. */
  void (*set_result)(rqcpp_context* ctx, const uint8_t* data, size_t size);

  /* Records why the job failed: an exception type name (e.g. "ValueError"),
   * a message and an optional traceback text (NULL for none). All copied. The
   * function must then return RQCPP_ERROR. */
  void (*set_error)(rqcpp_context* ctx, const char* type, const char* message,
                    const char* traceback);
};

/* A job function. args: msgpack array; kwargs: msgpack map (both always
 * present, possibly empty). Returns RQCPP_OK (result via set_result) or
 * RQCPP_ERROR (reason via set_error; without it the job fails as
 * "RuntimeError: job function reported an error"). A function may also crash or
 * hang: the host runs it in a forked work horse and fails the job then. */
typedef int (*rqcpp_job_fn)(rqcpp_context* ctx, const uint8_t* args, size_t args_size,
                            const uint8_t* kwargs, size_t kwargs_size);

/* One exported job function. */
typedef struct rqcpp_function {
  const char* name; /* the part after ':' in "libname:function" */
  const char* doc;  /* one line shown by `rqctl plugins`; may be "" */
  rqcpp_job_fn fn;
} rqcpp_function;

/* What a plugin offers. Owned by the plugin, static for its whole lifetime. */
typedef struct rqcpp_manifest {
  uint32_t abi_version;       /* must be RQCPP_ABI_VERSION */
  const char* plugin_name;    /* informational; the libname comes from the file */
  const char* plugin_version; /* free text, e.g. "1.2.0" */
  size_t function_count;
  const rqcpp_function* functions;
} rqcpp_manifest;

/* The symbol every plugin exports (see RQCPP_MANIFEST_SYMBOL). Must not fail
 * and must return the same manifest on every call. */
typedef const rqcpp_manifest* (*rqcpp_manifest_fn)(void);

/* NOLINTEND(modernize-use-using, modernize-redundant-void-arg) */

#ifdef __cplusplus
}
#endif

#endif /* RQCPP_PLUGIN_H_ */
