/*
 * Logging from the BGP engine.  The engine knows nothing of how its owner
 * logs: it calls a handler the owner sets, with a level and one line.
 * Messages that a peer's input can repeat are flagged BGP_LOG_RL, for the
 * owner to rate-limit.  Without a handler, lines go to stderr.
 */
#ifndef BGP_LOG_H
#define BGP_LOG_H 1

enum bgp_log_level {
    BGP_LOG_ERR,
    BGP_LOG_WARN,
    BGP_LOG_INFO,
    BGP_LOG_DBG,
};

#define BGP_LOG_RL 0x100        /* Or'ed into the level. */

typedef void bgp_log_handler(int level, const char *msg);
void bgp_log_set_handler(bgp_log_handler *);

void bgp_log(int level, const char *format, ...)
    __attribute__((__format__(__printf__, 2, 3)));

#endif /* bgp/log.h */
