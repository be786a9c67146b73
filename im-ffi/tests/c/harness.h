/*
 * Helpers shared by the C test programs: waiting for a TIMCommCallback,
 * and plain string checks on the JSON it carries (the programs use no
 * JSON library, as a minimal app would not). License: MIT OR Apache-2.0.
 */
#ifndef IM_FFI_TEST_HARNESS_H
#define IM_FFI_TEST_HARNESS_H

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "TIMCloud.h"

/* One asynchronous call: the callback fills it and signals. */
typedef struct {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int calls;
    int code;
    char *desc;
    char *json;
} call_t;

static int failures = 0;

#define CHECK(cond, ...)                                                   \
    do {                                                                   \
        if (!(cond)) {                                                     \
            fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond); \
            fprintf(stderr, __VA_ARGS__);                                  \
            fprintf(stderr, "\n");                                         \
            failures++;                                                    \
        }                                                                  \
    } while (0)

static inline void call_init(call_t *c) {
    pthread_mutex_init(&c->lock, NULL);
    pthread_cond_init(&c->cond, NULL);
    c->calls = 0;
    c->code = -1000;
    c->desc = NULL;
    c->json = NULL;
}

static inline void call_reset(call_t *c) {
    pthread_mutex_lock(&c->lock);
    free(c->desc);
    free(c->json);
    c->desc = NULL;
    c->json = NULL;
    c->calls = 0;
    c->code = -1000;
    pthread_mutex_unlock(&c->lock);
}

static inline char *dup_or_null(const char *s) {
    return s ? strdup(s) : NULL;
}

/* The TIMCommCallback of every waited call; user_data is the call_t. */
static inline void on_done(int32_t code, const char *desc, const char *json, const void *user_data) {
    call_t *c = (call_t *)user_data;
    pthread_mutex_lock(&c->lock);
    c->calls++;
    c->code = code;
    free(c->desc);
    free(c->json);
    /* The contract: never NULL. Keep NULL visible to the checks. */
    c->desc = dup_or_null(desc);
    c->json = dup_or_null(json);
    pthread_cond_broadcast(&c->cond);
    pthread_mutex_unlock(&c->lock);
}

/* Waits up to 20 s for the callback; returns its code (-1000 on timeout). */
static inline int wait_call(call_t *c) {
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += 20;
    pthread_mutex_lock(&c->lock);
    while (c->calls == 0) {
        if (pthread_cond_timedwait(&c->cond, &c->lock, &deadline) != 0) break;
    }
    int code = c->calls ? c->code : -1000;
    pthread_mutex_unlock(&c->lock);
    return code;
}

static inline int has(const char *json, const char *needle) {
    return json != NULL && strstr(json, needle) != NULL;
}

static inline int count_of(const char *json, const char *needle) {
    int n = 0;
    if (!json) return 0;
    for (const char *p = strstr(json, needle); p; p = strstr(p + 1, needle)) n++;
    return n;
}

static inline void sleep_ms(long ms) {
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&t, NULL);
}

/* Waits (10 s at most), under ev's lock, until *counter reaches want
 * (callbacks raise it and broadcast ev's condition); returns it. */
static inline int wait_count(call_t *ev, int *counter, int want) {
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += 10;
    pthread_mutex_lock(&ev->lock);
    while (*counter < want) {
        if (pthread_cond_timedwait(&ev->cond, &ev->lock, &deadline) != 0) break;
    }
    int value = *counter;
    pthread_mutex_unlock(&ev->lock);
    return value;
}

/* The arguments every program takes: where the server is, the app, a
 * data folder and alice's UserSig. */
typedef struct {
    const char *server;
    uint64_t app;
    const char *dir;
    const char *sig;
} args_t;

/* Reads the arguments of program `name`; false (usage printed) when they
 * are not four. */
static inline int read_args(int argc, char **argv, const char *name, args_t *a) {
    if (argc != 5) {
        fprintf(stderr, "usage: %s <server_url> <sdk_app_id> <data_dir> <alice_user_sig>\n", name);
        return 0;
    }
    a->server = argv[1];
    a->app = strtoull(argv[2], NULL, 10);
    a->dir = argv[3];
    a->sig = argv[4];
    return 1;
}

/* TIMInit against server_url with data under dir, then TIMLogin as user
 * with sig, checked; c is reset and left with the login's answer. */
static inline void init_and_login(uint64_t app, const char *server_url, const char *dir,
                                  const char *user, const char *sig, call_t *c) {
    char config[2048];
    snprintf(config, sizeof config,
             "{\"sdk_config_config_file_path\":\"%s/data\",\"sdk_config_server_url\":\"%s\"}", dir,
             server_url);
    CHECK(TIMInit(app, config) == TIM_SUCC, "init");
    call_reset(c);
    CHECK(TIMLogin(user, sig, on_done, c) == TIM_SUCC, "login");
    CHECK(wait_call(c) == 0, "login code %d", c->code);
}

#endif
