/*
 * The head of an HTTP/1.0 or HTTP/1.1 request (RFC 9112): its request line
 * and header lines, as the metrics endpoint reads them.  Pure functions on
 * bytes, plain libc: network input, fuzzed by tests/fuzz/fuzz-http-request.c.
 *
 * What is accepted: a request line "METHOD SP TARGET SP HTTP/D.D" (METHOD a
 * token, TARGET visible ASCII without spaces), header lines "NAME:VALUE"
 * (NAME a token, VALUE without control characters other than tab), each
 * line ending in CRLF or a bare LF, and an empty line at the end.  Nothing
 * else: no leading empty lines, no line folding, no CR or NUL inside a line.
 * Header values are checked, not kept: the endpoint needs none of them.
 */
#ifndef SRC_HTTP_REQUEST_H
#define SRC_HTTP_REQUEST_H 1

#include <stdbool.h>
#include <stddef.h>

enum http_method {
    HTTP_GET,
    HTTP_HEAD,
    HTTP_OTHER,                 /* Any other token. */
};

/* A request line, pointing into the bytes it was parsed from. */
struct http_request_line {
    enum http_method method;
    const char *method_name;    /* The token as sent. */
    size_t method_len;
    const char *target;         /* As sent: "/metrics?x=1". */
    size_t target_len;
    size_t path_len;            /* Of the target up to '?'. */
    int major, minor;           /* HTTP/major.minor, one digit each. */
};

/* Parses LINE, of LEN bytes without its line ending, into *RL.  Returns
 * false, with *RL unspecified, if it is not a request line. */
bool http_parse_request_line(const char *line, size_t len,
                             struct http_request_line *rl);

enum http_head_status {
    HTTP_HEAD_MORE,             /* Well-formed so far, not ended yet. */
    HTTP_HEAD_DONE,             /* A whole head: answer the request. */
    HTTP_HEAD_BAD,              /* Malformed: 400. */
    HTTP_HEAD_VERSION,          /* Well-formed, but not HTTP/1.x: 505. */
};

/* Reads a head as it arrives.  The caller keeps the bytes received so far
 * in one buffer and passes all of them at each call, more each time;
 * http_head_parse() looks at each byte once, and the result, once it is
 * not HTTP_HEAD_MORE, stays the same whatever follows. */
struct http_head {
    enum http_head_status status;
    size_t scanned;             /* Bytes searched for line ends. */
    size_t line_start;          /* Where the line being read starts. */
    bool have_request_line;
    /* Once have_request_line: the request line, with offsets from the start
     * of the buffer (it may move between calls). */
    enum http_method method;
    size_t target_ofs, target_len, path_len;
    int major, minor;
    size_t length;              /* Once HTTP_HEAD_DONE: of the head, its
                                 * empty line included. */
};

void http_head_init(struct http_head *);
enum http_head_status http_head_parse(struct http_head *, const char *buf,
                                      size_t len);

#endif /* src/http-request.h */
