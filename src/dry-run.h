/*
 * --dry-run: the NB watcher alone, printing the route set.
 */
#ifndef SRC_DRY_RUN_H
#define SRC_DRY_RUN_H 1

struct speaker_options;

/* Prints the initial route set, then every change as it happens, one line
 * each ("+ PREFIX ROWS" or "- PREFIX ROWS"), flushing stdout per line.
 * Runs until a fatal signal. */
int dry_run_main(const struct speaker_options *);

#endif /* src/dry-run.h */
