/*
 * auscult_pcap: the live sensor's receive-only libpcap capture (loaded by src/capture/libpcap.ts).
 *
 * Why hand-written (issue 14, live capture): `cap` 0.2.1 opens libpcap in immediate mode, which on
 * Linux is TPACKET_V2 with one 64 KiB slot per frame (a 32 MiB ring holds 512 frames, about 3 ms
 * of 1 Gb/s), with a fixed snaplen of 65535, without pcap_stats, the kernel timestamp or the
 * wire length, and with one JavaScript call per frame. The `pcap` package (3.1.0) is built on
 * nan, also calls JavaScript once per frame and is unmaintained. What the sensor needs is small:
 *
 *   open()     pcap_create + snaplen, buffer size, promiscuous, block timeout from config, NOT
 *              immediate (TPACKET_V3 on Linux: frames packed into blocks by their real length,
 *              so the same ring holds tens of thousands of frames), the BPF filter, non-blocking;
 *              a uv_poll on the selectable fd calls `onReadable(status, message)` when the kernel
 *              retires a block (status < 0 and libuv's message when polling failed).
 *   dispatch() one pcap_dispatch that copies as many frames as fit into a caller's Buffer:
 *              a 16-byte record header (u32le caplen, u32le wire length, f64le timestamp in
 *              microseconds) then the bytes, record after record. One call per batch.
 *   stats()    pcap_stats: received, kernel drops, interface drops (u32 counters that wrap).
 *   close()    stops the poll and closes the handle.
 *
 * Receive-only by construction: nothing here references pcap_inject or pcap_sendpacket (a test
 * reads the addon's dynamic symbol table to prove it). Every length from libpcap is checked
 * against the caller's buffer before it is copied.
 */
#include <node_api.h>
#include <pcap/pcap.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#define RECORD_HEADER_BYTES 16
#define MAX_IFACE 256
#define MAX_FILTER 8192

typedef struct capture {
  pcap_t *pcap;
  uv_poll_t poll;
  int poll_active;     /* uv_poll_start succeeded and not stopped */
  int poll_open;       /* uv_poll_init succeeded and uv_close not yet completed */
  int finalized;       /* the JS external is gone */
  int closed;
  napi_env env;
  napi_ref on_readable;
  napi_ref resource;
  napi_async_context async_context;
  uint32_t snaplen;
  /* The current dispatch() call's output. */
  uint8_t *out;
  size_t out_len;
  size_t used;
  uint32_t lost;       /* frames that did not fit (never expected: room is checked first) */
} capture_t;

static void throw_error(napi_env env, const char *message) {
  napi_throw_error(env, NULL, message);
}

#define NAPI_OK(call)                                                         \
  do {                                                                        \
    if ((call) != napi_ok) {                                                  \
      const napi_extended_error_info *info_ = NULL;                           \
      napi_get_last_error_info(env, &info_);                                  \
      bool pending_ = false;                                                  \
      napi_is_exception_pending(env, &pending_);                              \
      if (!pending_)                                                          \
        throw_error(env, info_ && info_->error_message ? info_->error_message \
                                                       : "N-API call failed"); \
      return NULL;                                                            \
    }                                                                         \
  } while (0)

static void free_if_done(capture_t *c) {
  if (c->finalized && !c->poll_open) free(c);
}

static void on_poll_closed(uv_handle_t *handle) {
  capture_t *c = (capture_t *)handle->data;
  c->poll_open = 0;
  free_if_done(c);
}

/* Stops the poll, closes libpcap, releases the references. Safe to call twice. */
static void close_capture(napi_env env, capture_t *c) {
  if (c->closed) return;
  c->closed = 1;
  if (c->poll_active) {
    uv_poll_stop(&c->poll);
    c->poll_active = 0;
  }
  if (c->poll_open) uv_close((uv_handle_t *)&c->poll, on_poll_closed);
  if (c->pcap != NULL) {
    pcap_close(c->pcap);
    c->pcap = NULL;
  }
  if (c->on_readable != NULL) {
    napi_delete_reference(env, c->on_readable);
    c->on_readable = NULL;
  }
  if (c->resource != NULL) {
    napi_delete_reference(env, c->resource);
    c->resource = NULL;
  }
  if (c->async_context != NULL) {
    napi_async_destroy(env, c->async_context);
    c->async_context = NULL;
  }
}

static void finalize_capture(napi_env env, void *data, void *hint) {
  capture_t *c = (capture_t *)data;
  close_capture(env, c);
  c->finalized = 1;
  free_if_done(c);
}

static void on_poll(uv_poll_t *handle, int status, int events) {
  capture_t *c = (capture_t *)handle->data;
  if (c->closed || c->on_readable == NULL) return;
  napi_env env = c->env;
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  napi_value callback, resource, argv[2], result;
  if (napi_get_reference_value(env, c->on_readable, &callback) == napi_ok &&
      napi_get_reference_value(env, c->resource, &resource) == napi_ok &&
      napi_create_int32(env, status, &argv[0]) == napi_ok &&
      napi_create_string_utf8(env, status < 0 ? uv_strerror(status) : "", NAPI_AUTO_LENGTH, &argv[1]) == napi_ok) {
    if (napi_make_callback(env, c->async_context, resource, callback, 2, argv, &result) != napi_ok) {
      bool pending = false;
      napi_is_exception_pending(env, &pending);
      if (pending) {
        napi_value error;
        napi_get_and_clear_last_exception(env, &error);
        napi_fatal_exception(env, error);
      }
    }
  }
  napi_close_handle_scope(env, scope);
}

static capture_t *get_capture(napi_env env, napi_value value) {
  capture_t *c = NULL;
  if (napi_get_value_external(env, value, (void **)&c) != napi_ok || c == NULL) {
    throw_error(env, "not a capture handle");
    return NULL;
  }
  return c;
}

/* The call's first `count` arguments into argv; false (an exception pending) when it has fewer. */
static bool get_args(napi_env env, napi_callback_info info, size_t count, napi_value *argv, const char *usage) {
  size_t argc = count;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) {
    throw_error(env, "cannot read the arguments");
    return false;
  }
  if (argc < count) {
    throw_error(env, usage);
    return false;
  }
  return true;
}

static int get_string(napi_env env, napi_value value, char *buf, size_t size, const char *what) {
  size_t length = 0;
  if (napi_get_value_string_utf8(env, value, buf, size, &length) != napi_ok) {
    char message[96];
    snprintf(message, sizeof message, "%s must be a string", what);
    throw_error(env, message);
    return -1;
  }
  if (length >= size - 1) {
    char message[96];
    snprintf(message, sizeof message, "%s is too long", what);
    throw_error(env, message);
    return -1;
  }
  return 0;
}

/*
 * open(interface, snaplen, bufferSize, timeoutMs, promiscuous, filter, onReadable)
 *   -> [handle, dlt, warning]   (warning: '' or the text of a pcap_activate warning)
 * Throws Error(libpcap's message) when the interface cannot be opened or the filter compiled.
 */
static napi_value open_capture(napi_env env, napi_callback_info info) {
  napi_value argv[7];
  if (!get_args(env, info, 7, argv, "open needs 7 arguments")) return NULL;
  char iface[MAX_IFACE];
  static char filter[MAX_FILTER + 2]; /* capture.bpf_filter allows 8192 characters; one more means too long */
  if (get_string(env, argv[0], iface, sizeof iface, "interface") != 0) return NULL;
  int32_t snaplen = 0, buffer_size = 0, timeout_ms = 0;
  bool promiscuous = true;
  NAPI_OK(napi_get_value_int32(env, argv[1], &snaplen));
  NAPI_OK(napi_get_value_int32(env, argv[2], &buffer_size));
  NAPI_OK(napi_get_value_int32(env, argv[3], &timeout_ms));
  NAPI_OK(napi_get_value_bool(env, argv[4], &promiscuous));
  if (get_string(env, argv[5], filter, sizeof filter, "filter") != 0) return NULL;
  napi_valuetype callback_type;
  NAPI_OK(napi_typeof(env, argv[6], &callback_type));
  if (callback_type != napi_function) {
    throw_error(env, "onReadable must be a function");
    return NULL;
  }
  if (snaplen < 64 || snaplen > 262144 || buffer_size < 65536 || timeout_ms < 1 || timeout_ms > 10000) {
    throw_error(env, "snaplen, buffer size or timeout out of range");
    return NULL;
  }

  char errbuf[PCAP_ERRBUF_SIZE] = "";
  char message[PCAP_ERRBUF_SIZE + 128];
  pcap_t *p = pcap_create(iface, errbuf);
  if (p == NULL) {
    throw_error(env, errbuf[0] ? errbuf : "pcap_create failed");
    return NULL;
  }
  pcap_set_snaplen(p, snaplen);
  pcap_set_promisc(p, promiscuous ? 1 : 0);
  pcap_set_timeout(p, timeout_ms);
  pcap_set_buffer_size(p, buffer_size);
  pcap_set_immediate_mode(p, 0);
  int status = pcap_activate(p);
  if (status < 0) {
    const char *summary = pcap_statustostr(status);
    const char *detail = pcap_geterr(p);
    if (detail == NULL || detail[0] == '\0' || strcmp(detail, summary) == 0) detail = "";
    snprintf(message, sizeof message, "%s%s%s", summary, detail[0] ? ": " : "", detail);
    pcap_close(p);
    throw_error(env, message);
    return NULL;
  }
  char warning[PCAP_ERRBUF_SIZE + 64] = "";
  if (status > 0) {
    const char *detail = pcap_geterr(p);
    snprintf(warning, sizeof warning, "%s%s%s", pcap_statustostr(status),
             detail && detail[0] ? ": " : "", detail ? detail : "");
  }
  if (filter[0] != '\0') {
    struct bpf_program program;
    if (pcap_compile(p, &program, filter, 1, PCAP_NETMASK_UNKNOWN) != 0) {
      snprintf(message, sizeof message, "filter does not compile: %s", pcap_geterr(p));
      pcap_close(p);
      throw_error(env, message);
      return NULL;
    }
    int set = pcap_setfilter(p, &program);
    pcap_freecode(&program);
    if (set != 0) {
      snprintf(message, sizeof message, "filter cannot be set: %s", pcap_geterr(p));
      pcap_close(p);
      throw_error(env, message);
      return NULL;
    }
  }
  if (pcap_setnonblock(p, 1, errbuf) != 0) {
    snprintf(message, sizeof message, "cannot make the capture non-blocking: %s", errbuf);
    pcap_close(p);
    throw_error(env, message);
    return NULL;
  }
  int fd = pcap_get_selectable_fd(p);
  if (fd < 0) {
    pcap_close(p);
    throw_error(env, "the capture has no selectable file descriptor");
    return NULL;
  }

  capture_t *c = (capture_t *)calloc(1, sizeof *c);
  if (c == NULL) {
    pcap_close(p);
    throw_error(env, "out of memory");
    return NULL;
  }
  c->pcap = p;
  c->env = env;
  c->snaplen = (uint32_t)snaplen;
  c->poll.data = c;

  napi_value handle, resource, resource_name, dlt, warning_value, result;
  if (napi_create_external(env, c, finalize_capture, NULL, &handle) != napi_ok) {
    pcap_close(p);
    free(c);
    throw_error(env, "cannot create the capture handle");
    return NULL;
  }
  /* From here on the finalizer owns c: errors only throw. */
  NAPI_OK(napi_create_object(env, &resource));
  NAPI_OK(napi_create_string_utf8(env, "auscult:pcap", NAPI_AUTO_LENGTH, &resource_name));
  NAPI_OK(napi_async_init(env, resource, resource_name, &c->async_context));
  NAPI_OK(napi_create_reference(env, resource, 1, &c->resource));
  NAPI_OK(napi_create_reference(env, argv[6], 1, &c->on_readable));

  uv_loop_t *loop = NULL;
  NAPI_OK(napi_get_uv_event_loop(env, &loop));
  if (uv_poll_init(loop, &c->poll, fd) != 0) {
    close_capture(env, c);
    throw_error(env, "cannot poll the capture's file descriptor");
    return NULL;
  }
  c->poll_open = 1;
  if (uv_poll_start(&c->poll, UV_READABLE, on_poll) != 0) {
    close_capture(env, c);
    throw_error(env, "cannot start polling the capture");
    return NULL;
  }
  c->poll_active = 1;

  NAPI_OK(napi_create_int32(env, pcap_datalink(p), &dlt));
  NAPI_OK(napi_create_string_utf8(env, warning, NAPI_AUTO_LENGTH, &warning_value));
  NAPI_OK(napi_create_array_with_length(env, 3, &result));
  NAPI_OK(napi_set_element(env, result, 0, handle));
  NAPI_OK(napi_set_element(env, result, 1, dlt));
  NAPI_OK(napi_set_element(env, result, 2, warning_value));
  return result;
}

static void write_u32le(uint8_t *at, uint32_t v) {
  at[0] = (uint8_t)v;
  at[1] = (uint8_t)(v >> 8);
  at[2] = (uint8_t)(v >> 16);
  at[3] = (uint8_t)(v >> 24);
}

static void on_packet(u_char *user, const struct pcap_pkthdr *header, const u_char *bytes) {
  capture_t *c = (capture_t *)user;
  uint32_t caplen = header->caplen;
  if (caplen > c->snaplen) caplen = c->snaplen;
  if (caplen > header->len) caplen = header->len;
  size_t room = c->out_len - c->used;
  if (room < RECORD_HEADER_BYTES + (size_t)caplen) {
    c->lost++;
    pcap_breakloop(c->pcap);
    return;
  }
  uint8_t *record = c->out + c->used;
  double micros = (double)header->ts.tv_sec * 1e6 + (double)header->ts.tv_usec;
  write_u32le(record, caplen);
  write_u32le(record + 4, header->len);
  memcpy(record + 8, &micros, sizeof micros); /* little-endian hosts only (x86-64, arm64) */
  memcpy(record + RECORD_HEADER_BYTES, bytes, caplen);
  c->used += RECORD_HEADER_BYTES + caplen;
  /* Stop while the next frame is certain to fit: pcap_dispatch cannot give a frame back. */
  if (c->out_len - c->used < RECORD_HEADER_BYTES + (size_t)c->snaplen) pcap_breakloop(c->pcap);
}

/*
 * dispatch(handle, buffer, offset, maxFrames) -> end offset (== offset when nothing was read or
 * the buffer has no room for one more frame of snaplen bytes). Throws on a libpcap error.
 */
static napi_value dispatch_capture(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  if (!get_args(env, info, 4, argv, "dispatch needs 4 arguments")) return NULL;
  capture_t *c = get_capture(env, argv[0]);
  if (c == NULL) return NULL;
  void *data = NULL;
  size_t length = 0;
  NAPI_OK(napi_get_buffer_info(env, argv[1], &data, &length));
  int64_t offset = 0;
  int32_t max_frames = 0;
  NAPI_OK(napi_get_value_int64(env, argv[2], &offset));
  NAPI_OK(napi_get_value_int32(env, argv[3], &max_frames));
  napi_value result;
  if (offset < 0 || (uint64_t)offset > length) {
    throw_error(env, "offset outside the buffer");
    return NULL;
  }
  if (c->closed || max_frames <= 0 || length - (size_t)offset < RECORD_HEADER_BYTES + (size_t)c->snaplen) {
    NAPI_OK(napi_create_int64(env, offset, &result));
    return result;
  }
  c->out = (uint8_t *)data;
  c->out_len = length;
  c->used = (size_t)offset;
  int n = pcap_dispatch(c->pcap, max_frames, on_packet, (u_char *)c);
  c->out = NULL;
  if (n == PCAP_ERROR) {
    char message[PCAP_ERRBUF_SIZE + 32];
    snprintf(message, sizeof message, "capture read failed: %s", pcap_geterr(c->pcap));
    throw_error(env, message);
    return NULL;
  }
  NAPI_OK(napi_create_int64(env, (int64_t)c->used, &result));
  return result;
}

/* stats(handle) -> [received, droppedByKernel, droppedByInterface, lostInCopy], or null once closed. */
static napi_value stats_capture(napi_env env, napi_callback_info info) {
  napi_value argv[1], result, value;
  if (!get_args(env, info, 1, argv, "stats needs the handle")) return NULL;
  capture_t *c = get_capture(env, argv[0]);
  if (c == NULL) return NULL;
  if (c->closed) {
    NAPI_OK(napi_get_null(env, &result));
    return result;
  }
  struct pcap_stat s;
  memset(&s, 0, sizeof s);
  if (pcap_stats(c->pcap, &s) != 0) {
    char message[PCAP_ERRBUF_SIZE + 32];
    snprintf(message, sizeof message, "pcap_stats failed: %s", pcap_geterr(c->pcap));
    throw_error(env, message);
    return NULL;
  }
  uint32_t figures[4] = {s.ps_recv, s.ps_drop, s.ps_ifdrop, c->lost};
  NAPI_OK(napi_create_array_with_length(env, 4, &result));
  for (uint32_t i = 0; i < 4; i++) {
    NAPI_OK(napi_create_uint32(env, figures[i], &value));
    NAPI_OK(napi_set_element(env, result, i, value));
  }
  return result;
}

static napi_value close_capture_js(napi_env env, napi_callback_info info) {
  napi_value argv[1], result;
  if (!get_args(env, info, 1, argv, "close needs the handle")) return NULL;
  capture_t *c = get_capture(env, argv[0]);
  if (c == NULL) return NULL;
  close_capture(env, c);
  NAPI_OK(napi_get_undefined(env, &result));
  return result;
}

static napi_value lib_version(napi_env env, napi_callback_info info) {
  napi_value result;
  NAPI_OK(napi_create_string_utf8(env, pcap_lib_version(), NAPI_AUTO_LENGTH, &result));
  return result;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor properties[] = {
      {"open", NULL, open_capture, NULL, NULL, NULL, napi_enumerable, NULL},
      {"dispatch", NULL, dispatch_capture, NULL, NULL, NULL, napi_enumerable, NULL},
      {"stats", NULL, stats_capture, NULL, NULL, NULL, napi_enumerable, NULL},
      {"close", NULL, close_capture_js, NULL, NULL, NULL, napi_enumerable, NULL},
      {"libVersion", NULL, lib_version, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  if (napi_define_properties(env, exports, sizeof properties / sizeof properties[0], properties) != napi_ok) return NULL;
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
