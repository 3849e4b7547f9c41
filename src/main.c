/*
 * ovn-bgp-speaker: announces the pod, subnet and service IPs of an OVN
 * network over BGP.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>

#include "fatal-signal.h"
#include "openvswitch/vlog.h"
#include "src/dry-run.h"
#include "src/options.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(main);

int
main(int argc, char *argv[])
{
    struct speaker_options opts;

    set_program_name(argv[0]);
    fatal_ignore_sigpipe();
    speaker_options_parse(argc, argv, &opts);

    if (!opts.dry_run) {
        fprintf(stderr, "%s: this build has no BGP engine yet: run it "
                "with --dry-run\n", program_name);
        speaker_options_destroy(&opts);
        return EXIT_FAILURE;
    }
    int status = dry_run_main(&opts);
    speaker_options_destroy(&opts);
    return status;
}
