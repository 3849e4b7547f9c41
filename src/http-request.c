/*
 * The head of an HTTP request: see http-request.h.
 */
#include "src/http-request.h"

#include <string.h>

/* RFC 9110's tchar: the characters of a method or a header name. */
static bool
is_tchar(unsigned char c)
{
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')) {
        return true;
    }
    return c && strchr("!#$%&'*+-.^_`|~", c);
}

/* The length of the run of tchars at the start of S[0..LEN). */
static size_t
token_len(const char *s, size_t len)
{
    size_t n = 0;

    while (n < len && is_tchar(s[n])) {
        n++;
    }
    return n;
}

bool
http_parse_request_line(const char *line, size_t len,
                        struct http_request_line *rl)
{
    static const char version[] = "HTTP/D.D";
    const size_t version_len = sizeof version - 1;
    size_t i, n;

    /* METHOD SP */
    n = token_len(line, len);
    if (!n || n >= len || line[n] != ' ') {
        return false;
    }
    rl->method_name = line;
    rl->method_len = n;
    if (n == 3 && !memcmp(line, "GET", 3)) {
        rl->method = HTTP_GET;
    } else if (n == 4 && !memcmp(line, "HEAD", 4)) {
        rl->method = HTTP_HEAD;
    } else {
        rl->method = HTTP_OTHER;
    }

    /* TARGET SP: visible ASCII. */
    i = n + 1;
    rl->target = &line[i];
    while (i < len && line[i] > ' ' && line[i] < 0x7f) {
        i++;
    }
    rl->target_len = &line[i] - rl->target;
    if (!rl->target_len || i >= len || line[i] != ' ') {
        return false;
    }
    const char *q = memchr(rl->target, '?', rl->target_len);
    rl->path_len = q ? q - rl->target : rl->target_len;

    /* HTTP/D.D, and the end. */
    const char *v = &line[i + 1];
    if (len - (i + 1) != version_len || memcmp(v, "HTTP/", 5)
        || v[5] < '0' || v[5] > '9' || v[6] != '.'
        || v[7] < '0' || v[7] > '9') {
        return false;
    }
    rl->major = v[5] - '0';
    rl->minor = v[7] - '0';
    return true;
}

/* "NAME:VALUE", VALUE of any bytes but control characters (tab is
 * allowed). */
static bool
is_header_line(const char *line, size_t len)
{
    size_t n = token_len(line, len);

    if (!n || n >= len || line[n] != ':') {
        return false;
    }
    for (size_t i = n + 1; i < len; i++) {
        unsigned char c = line[i];
        if ((c < ' ' && c != '\t') || c == 0x7f) {
            return false;
        }
    }
    return true;
}

void
http_head_init(struct http_head *h)
{
    memset(h, 0, sizeof *h);
    h->status = HTTP_HEAD_MORE;
}

/* Judges the whole line BUF[h->line_start..END), END at its LF. */
static enum http_head_status
judge_line(struct http_head *h, const char *buf, size_t end)
{
    const char *line = &buf[h->line_start];
    size_t len = end - h->line_start;

    if (len && line[len - 1] == '\r') {
        len--;
    }
    if (!h->have_request_line) {
        struct http_request_line rl;
        if (!http_parse_request_line(line, len, &rl)) {
            return HTTP_HEAD_BAD;
        }
        h->have_request_line = true;
        h->method = rl.method;
        h->target_ofs = rl.target - buf;
        h->target_len = rl.target_len;
        h->path_len = rl.path_len;
        h->major = rl.major;
        h->minor = rl.minor;
        return rl.major == 1 ? HTTP_HEAD_MORE : HTTP_HEAD_VERSION;
    } else if (!len) {
        h->length = end + 1;
        return HTTP_HEAD_DONE;
    } else {
        return is_header_line(line, len) ? HTTP_HEAD_MORE : HTTP_HEAD_BAD;
    }
}

enum http_head_status
http_head_parse(struct http_head *h, const char *buf, size_t len)
{
    while (h->status == HTTP_HEAD_MORE && h->scanned < len) {
        const char *lf = memchr(&buf[h->scanned], '\n', len - h->scanned);
        if (!lf) {
            h->scanned = len;
            break;
        }
        size_t end = lf - buf;
        h->scanned = end + 1;
        h->status = judge_line(h, buf, end);
        h->line_start = end + 1;
    }
    return h->status;
}
