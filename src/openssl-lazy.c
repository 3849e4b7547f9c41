/*
 * OpenSSL, loaded when first used.
 *
 * Open vSwitch's ssl: streams, and its sha1 (built over OpenSSL's), call
 * about 60 OpenSSL functions.  Linked the usual way, libssl and libcrypto
 * cost every start of the daemon about 0.5 ms of CPU and 150 page faults
 * (`perf stat` of an empty program with and without them): ld.so maps
 * them and binds some 4000 symbols of their own, for remotes that most
 * deployments never use (a run over unix: or tcp: calls none of them:
 * LD_DEBUG=bindings).
 *
 * So the daemon defines those functions itself, here, each calling the
 * real one, which the first call of any looks up in libssl.so.3 (and
 * libcrypto.so.3, which it depends on), loaded then with dlopen().  This
 * file is linked before libopenvswitch.a, and the daemon without -lssl and
 * -lcrypto, so that nothing else can provide them: the link fails if Open
 * vSwitch starts to use one that is not here.  Each definition is compiled
 * against OpenSSL's own declaration, so the compiler checks its types, and
 * each lookup asks for the symbol version the linker would have recorded.
 *
 * Debian's libssl3 stays a dependency of the daemon, loaded from the
 * system, so its security updates reach the daemon as before.  If it
 * cannot be loaded, the first call ends the daemon with the reason; with
 * an ssl: remote or a key or certificate set, that is at start-up
 * (openssl_lazy_load(), from options.c), as it was when linked.
 */
#include "src/openssl-lazy.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "util.h"

/* The symbol version of every function below, in OpenSSL 3's libraries. */
#define OPENSSL_SYMBOL_VERSION "OPENSSL_3.0.0"

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static void *libssl;
static char load_error[256];

static void
load(void)
{
    libssl = dlopen(OPENSSL_LAZY_SONAME, RTLD_NOW | RTLD_LOCAL);
    if (!libssl) {
        const char *why = dlerror();
        snprintf(load_error, sizeof load_error, "%s",
                 why ? why : "cannot be loaded");
    }
}

const char *
openssl_lazy_load(void)
{
    pthread_once(&load_once, load);
    return libssl ? NULL : load_error;
}

/* The function 'name' of OpenSSL, loading it first if need be. */
static void *
symbol(const char *name)
{
    const char *error = openssl_lazy_load();
    void *p;

    if (error) {
        ovs_fatal(0, "OpenSSL is needed (for %s), but %s", name, error);
    }
    p = dlvsym(libssl, name, OPENSSL_SYMBOL_VERSION);
    if (!p) {
        const char *why = dlerror();
        ovs_fatal(0, "%s has no %s@%s: %s", OPENSSL_LAZY_SONAME, name,
                  OPENSSL_SYMBOL_VERSION, why ? why : "not found");
    }
    return p;
}

/* The real NAME, found once. */
#define REAL(NAME)                                                      \
    static typeof(NAME) *real;                                          \
    typeof(NAME) *fn = __atomic_load_n(&real, __ATOMIC_ACQUIRE);        \
    if (!fn) {                                                          \
        fn = (typeof(NAME) *) symbol(#NAME);                            \
        __atomic_store_n(&real, fn, __ATOMIC_RELEASE);                  \
    }

/* NAME, of return type RET, parameters PARAMS, called with ARGS.  Hidden:
 * only the daemon's own calls come here, never libssl's or libcrypto's
 * calls of their own functions (tests/nb/test-ssl.sh checks that none is
 * exported). */
#define FORWARD(RET, NAME, PARAMS, ARGS)                                \
    __attribute__((visibility("hidden"))) RET NAME PARAMS               \
    {                                                                   \
        REAL(NAME)                                                      \
        return fn ARGS;                                                 \
    }
#define FORWARD_VOID(NAME, PARAMS, ARGS)                                \
    __attribute__((visibility("hidden"))) void NAME PARAMS              \
    {                                                                   \
        REAL(NAME)                                                      \
        fn ARGS;                                                        \
    }

/* libcrypto. */
FORWARD(const unsigned char *, ASN1_STRING_get0_data,
        (const ASN1_STRING *x), (x))
FORWARD_VOID(CRYPTO_free, (void *p, const char *file, int line),
             (p, file, line))
FORWARD_VOID(ERR_clear_error, (void), ())
FORWARD(char *, ERR_error_string, (unsigned long e, char *buf), (e, buf))
FORWARD_VOID(ERR_error_string_n, (unsigned long e, char *buf, size_t len),
             (e, buf, len))
FORWARD(unsigned long, ERR_get_error, (void), ())
FORWARD(int, EVP_DigestFinal_ex,
        (EVP_MD_CTX *ctx, unsigned char *md, unsigned int *s),
        (ctx, md, s))
FORWARD(int, EVP_DigestInit_ex,
        (EVP_MD_CTX *ctx, const EVP_MD *type, ENGINE *impl),
        (ctx, type, impl))
FORWARD(int, EVP_DigestUpdate, (EVP_MD_CTX *ctx, const void *d, size_t n),
        (ctx, d, n))
FORWARD_VOID(EVP_MD_CTX_free, (EVP_MD_CTX *ctx), (ctx))
FORWARD(EVP_MD_CTX *, EVP_MD_CTX_new, (void), ())
FORWARD(const EVP_MD *, EVP_sha1, (void), ())
FORWARD(int, OPENSSL_sk_num, (const OPENSSL_STACK *st), (st))
FORWARD(void *, OPENSSL_sk_value, (const OPENSSL_STACK *st, int i),
        (st, i))
FORWARD(X509 *, PEM_read_X509,
        (FILE *fp, X509 **x, pem_password_cb *cb, void *u), (fp, x, cb, u))
FORWARD(int, PEM_write_X509, (FILE *fp, const X509 *x), (fp, x))
FORWARD_VOID(RAND_seed, (const void *buf, int num), (buf, num))
FORWARD(int, RAND_status, (void), ())
FORWARD(ASN1_STRING *, X509_NAME_ENTRY_get_data,
        (const X509_NAME_ENTRY *ne), (ne))
FORWARD(X509_NAME_ENTRY *, X509_NAME_get_entry,
        (const X509_NAME *name, int loc), (name, loc))
FORWARD(int, X509_NAME_get_index_by_NID,
        (const X509_NAME *name, int nid, int lastpos), (name, nid, lastpos))
FORWARD(char *, X509_NAME_oneline, (const X509_NAME *a, char *buf, int size),
        (a, buf, size))
FORWARD(X509_STORE *, X509_STORE_new, (void), ())
FORWARD(int, X509_check_issued, (X509 *issuer, X509 *subject),
        (issuer, subject))
FORWARD(int, X509_digest,
        (const X509 *data, const EVP_MD *type, unsigned char *md,
         unsigned int *len), (data, type, md, len))
FORWARD_VOID(X509_free, (X509 *a), (a))
FORWARD(X509_NAME *, X509_get_subject_name, (const X509 *a), (a))
FORWARD(const char *, X509_verify_cert_error_string, (long n), (n))

/* libssl. */
FORWARD(int, SSL_CTX_add_client_CA, (SSL_CTX *ctx, X509 *x), (ctx, x))
FORWARD(int, SSL_CTX_check_private_key, (const SSL_CTX *ctx), (ctx))
FORWARD(long, SSL_CTX_ctrl, (SSL_CTX *ctx, int cmd, long larg, void *parg),
        (ctx, cmd, larg, parg))
FORWARD(int, SSL_CTX_load_verify_locations,
        (SSL_CTX *ctx, const char *file, const char *path),
        (ctx, file, path))
FORWARD(SSL_CTX *, SSL_CTX_new, (const SSL_METHOD *meth), (meth))
FORWARD_VOID(SSL_CTX_set_cert_store, (SSL_CTX *ctx, X509_STORE *store),
             (ctx, store))
FORWARD(int, SSL_CTX_set_cipher_list, (SSL_CTX *ctx, const char *str),
        (ctx, str))
FORWARD_VOID(SSL_CTX_set_client_CA_list,
             (SSL_CTX *ctx, STACK_OF(X509_NAME) *names), (ctx, names))
FORWARD(uint64_t, SSL_CTX_set_options, (SSL_CTX *ctx, uint64_t op),
        (ctx, op))
FORWARD_VOID(SSL_CTX_set_verify,
             (SSL_CTX *ctx, int mode, SSL_verify_cb cb), (ctx, mode, cb))
FORWARD(int, SSL_CTX_use_PrivateKey_file,
        (SSL_CTX *ctx, const char *file, int type), (ctx, file, type))
FORWARD(int, SSL_CTX_use_certificate_file,
        (SSL_CTX *ctx, const char *file, int type), (ctx, file, type))
FORWARD(int, SSL_accept, (SSL *ssl), (ssl))
FORWARD(int, SSL_connect, (SSL *ssl), (ssl))
FORWARD(long, SSL_ctrl, (SSL *ssl, int cmd, long larg, void *parg),
        (ssl, cmd, larg, parg))
FORWARD_VOID(SSL_free, (SSL *ssl), (ssl))
FORWARD(X509 *, SSL_get1_peer_certificate, (const SSL *s), (s))
FORWARD(int, SSL_get_error, (const SSL *s, int ret), (s, ret))
FORWARD(STACK_OF(X509) *, SSL_get_peer_cert_chain, (const SSL *s), (s))
FORWARD(const char *, SSL_get_servername, (const SSL *s, const int type),
        (s, type))
FORWARD(OSSL_HANDSHAKE_STATE, SSL_get_state, (const SSL *ssl), (ssl))
FORWARD(int, SSL_get_verify_mode, (const SSL *s), (s))
FORWARD(STACK_OF(X509_NAME) *, SSL_load_client_CA_file, (const char *file),
        (file))
FORWARD(SSL *, SSL_new, (SSL_CTX *ctx), (ctx))
FORWARD(int, SSL_read, (SSL *ssl, void *buf, int num), (ssl, buf, num))
FORWARD(int, SSL_set_fd, (SSL *s, int fd), (s, fd))
FORWARD_VOID(SSL_set_msg_callback,
             (SSL *ssl, void (*cb)(int write_p, int version,
                                   int content_type, const void *buf,
                                   size_t len, SSL *ssl, void *arg)),
             (ssl, cb))
FORWARD_VOID(SSL_set_verify, (SSL *s, int mode, SSL_verify_cb cb),
             (s, mode, cb))
FORWARD(int, SSL_shutdown, (SSL *s), (s))
FORWARD(int, SSL_want, (const SSL *s), (s))
FORWARD(int, SSL_write, (SSL *ssl, const void *buf, int num),
        (ssl, buf, num))
FORWARD(const SSL_METHOD *, TLS_method, (void), ())
