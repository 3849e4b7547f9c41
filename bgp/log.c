/*
 * Logging from the BGP engine: see log.h.
 */
#include "bgp/log.h"

#include <stdarg.h>
#include <stdio.h>

static bgp_log_handler *handler;

void
bgp_log_set_handler(bgp_log_handler *h)
{
    handler = h;
}

void
bgp_log(int level, const char *format, ...)
{
    char msg[512];
    va_list args;

    va_start(args, format);
    vsnprintf(msg, sizeof msg, format, args);
    va_end(args);
    if (handler) {
        handler(level, msg);
    } else {
        static const char *const names[] = { "ERR", "WARN", "INFO", "DBG" };
        fprintf(stderr, "bgp|%s|%s\n", names[(level & 0xff) & 3], msg);
    }
}
