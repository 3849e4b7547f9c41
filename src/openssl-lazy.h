/*
 * OpenSSL, loaded when first used: see openssl-lazy.c.
 */
#ifndef SRC_OPENSSL_LAZY_H
#define SRC_OPENSSL_LAZY_H 1

/* The library loaded (libcrypto comes with it). */
#define OPENSSL_LAZY_SONAME "libssl.so.3"

/* Loads OpenSSL now if it is not yet.  Returns NULL, or why it cannot be
 * loaded.  Thread-safe. */
const char *openssl_lazy_load(void);

#endif /* src/openssl-lazy.h */
