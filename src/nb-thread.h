/*
 * The daemon's NB thread: the NB watcher and the unixctl server (control
 * commands bgp/neighbors, bgp/routes, nb/status, exit) on OVS's poll loop.
 */
#ifndef SRC_NB_THREAD_H
#define SRC_NB_THREAD_H 1

struct channel;
struct speaker_options;
struct unixctl_server;

/* Registers the control commands and starts the thread.  It runs until the
 * BGP side sets 'bgp_stopped' in the channel and wakes it. */
struct nb_thread *nb_thread_start(struct channel *,
                                  const struct speaker_options *,
                                  struct unixctl_server *);
void nb_thread_join(struct nb_thread *);

#endif /* src/nb-thread.h */
