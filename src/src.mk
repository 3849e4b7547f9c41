# The HTTP request head of the metrics endpoint, plain libc (SPEAKER_SRCS
# in the Makefile lists it with the daemon's other files).  Network input:
# a unit test and a fuzzer.
HTTP_SRCS := src/http-request.c

# Unit tests (built and run by tests/tests.mk and tests/run.sh).
UNIT_TESTS += test-http-request
test-http-request_SRCS := tests/unit/test-http-request.c $(HTTP_SRCS)

# The fuzzer (see FUZZER in the Makefile).
$(eval $(call FUZZER,fuzz-http-request,tests/fuzz/fuzz-http-request.c \
    $(HTTP_SRCS),src/http-request.h,tests/fuzz/corpus-http))
