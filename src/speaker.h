/*
 * The daemon proper (everything but --dry-run).
 */
#ifndef SRC_SPEAKER_H
#define SRC_SPEAKER_H 1

struct speaker_options;

/* Runs until SIGTERM, SIGINT or "ovs-appctl exit"; returns the exit
 * status.  Exits with status 1 on a setup failure (a port in use, say). */
int speaker_main(const struct speaker_options *);

#endif /* src/speaker.h */
