/*
 * The tokenizer built without SSE2, for test-json-stream-swar: the same
 * tests on the 8-bytes-a-word string scan that other machines use.
 */
#define JSTREAM_NO_SIMD 1
#include "ovsdb/json-stream.c"
