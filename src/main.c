/*
 * ovn-bgp-speaker: announces the pod, subnet and service IPs of an OVN
 * network over BGP.
 */
#include <config.h>

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>

#include "fatal-signal.h"
#include "openvswitch/vlog.h"
#include "src/dry-run.h"
#include "src/options.h"
#include "src/speaker.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(main);

int
main(int argc, char *argv[])
{
    struct speaker_options opts;

    /* One malloc arena for both threads.  They rarely allocate at the same
     * moment, and a second arena holds its own free memory: at 100k routes
     * one arena saves about 5 MB of peak RSS (make bench). */
    mallopt(M_ARENA_MAX, 1);
    set_program_name(argv[0]);
    fatal_ignore_sigpipe();
    speaker_options_parse(argc, argv, &opts);

    int status = opts.dry_run ? dry_run_main(&opts) : speaker_main(&opts);
    speaker_options_destroy(&opts);
    return status;
}
