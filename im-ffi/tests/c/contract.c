/*
 * The callback contract of spec 0.2, hammered from many threads:
 * a call that returns TIM_SUCC calls its callback exactly once, a call
 * that returns an error never does; user_data comes back bit-identical
 * (a struct pointer or a C string); desc and json_params are never NULL;
 * every callback runs on one SDK thread, never the caller's; and none
 * runs after TIMUninit returns, while every accepted call was answered.
 *
 * Usage: contract <server_url> <sdk_app_id> <data_dir> <user_sig> <threads> <calls_per_thread>
 * License: MIT OR Apache-2.0.
 */
#include "harness.h"

typedef struct {
    int ret;   /* what the call returned */
    int calls; /* how many times its callback ran */
} slot_t;

static slot_t *slots;
static char **tags; /* C-string user_data for every third call */
static size_t total;
static size_t capacity; /* slots: the hammer's, then the burst's */
static int callbacks = 0;
static int null_strings = 0;
static int foreign_user_data = 0;
static int on_caller_thread = 0;
static pthread_t callback_thread;
static int callback_thread_known = 0;
static int wrong_thread = 0;
static __thread int is_caller = 0;

/* Finds the slot of a user_data: a slot pointer, or a tag string "tag-N". */
static slot_t *slot_of(const void *user_data) {
    const slot_t *p = (const slot_t *)user_data;
    if (p >= slots && p < slots + capacity) return (slot_t *)p;
    const char *s = (const char *)user_data;
    if (s && strncmp(s, "tag-", 4) == 0) {
        size_t i = strtoull(s + 4, NULL, 10);
        if (i < capacity && tags[i] == s) return &slots[i];
    }
    return NULL;
}

static void on_call(int32_t code, const char *desc, const char *json, const void *user_data) {
    (void)code;
    if (desc == NULL || json == NULL) __atomic_add_fetch(&null_strings, 1, __ATOMIC_SEQ_CST);
    if (is_caller) __atomic_add_fetch(&on_caller_thread, 1, __ATOMIC_SEQ_CST);
    if (!callback_thread_known) {
        callback_thread = pthread_self();
        callback_thread_known = 1;
    } else if (!pthread_equal(callback_thread, pthread_self())) {
        __atomic_add_fetch(&wrong_thread, 1, __ATOMIC_SEQ_CST);
    }
    slot_t *s = slot_of(user_data);
    if (!s) {
        __atomic_add_fetch(&foreign_user_data, 1, __ATOMIC_SEQ_CST);
        return;
    }
    __atomic_add_fetch(&s->calls, 1, __ATOMIC_SEQ_CST);
    __atomic_add_fetch(&callbacks, 1, __ATOMIC_SEQ_CST);
}

/* One call of a mix: accepted ones, and ones refused synchronously. */
static int one_call(size_t i) {
    const void *ud = (i % 3 == 0) ? (const void *)tags[i] : (const void *)&slots[i];
    switch (i % 8) {
        case 0: return TIMConvGetConvList(on_call, ud);
        case 1: return TIMConvGetTotalUnreadMessageCount(on_call, ud);
        case 2: return TIMMsgFindMessages("[\"no-such-id\"]", on_call, ud);
        case 3: return TIMConvGetConversationListByFilter("{not json", 0, 10, on_call, ud);
        case 4: return callExperimentalAPI("{\"request_internal_operation\":\"internal_operation_set_ui_platform\"}", on_call, ud);
        case 5: return TIMConvMarkConversation(NULL, 1, true, on_call, ud);
        case 6: return TIMMsgGetMsgList("bob", kTIMConv_C2C, "{\"msg_getmsglist_param_count\":5}", on_call, ud);
        default: return TIMFriendshipGetFriendProfileList(on_call, ud);
    }
}

typedef struct {
    size_t from, to;
} range_t;

static void *worker(void *arg) {
    range_t *r = (range_t *)arg;
    is_caller = 1;
    for (size_t i = r->from; i < r->to; i++) slots[i].ret = one_call(i);
    return NULL;
}

static int expected_ret(size_t i) {
    switch (i % 8) {
        case 3: return TIM_ERR_JSON;
        case 5: return TIM_ERR_PARAM;
        default: return TIM_SUCC;
    }
}

/* Waits until every accepted call of [0, n) was answered; returns the
 * number still unanswered. */
static size_t wait_answers(size_t n) {
    size_t missing = n;
    for (int round = 0; round < 600 && missing; round++) {
        missing = 0;
        for (size_t i = 0; i < n; i++)
            if (slots[i].ret == TIM_SUCC && __atomic_load_n(&slots[i].calls, __ATOMIC_SEQ_CST) == 0) missing++;
        if (missing) sleep_ms(100);
    }
    return missing;
}

int main(int argc, char **argv) {
    if (argc != 7) {
        fprintf(stderr, "usage: contract <server_url> <sdk_app_id> <data_dir> <user_sig> <threads> <calls_per_thread>\n");
        return 2;
    }
    int threads = atoi(argv[5]);
    size_t per_thread = strtoull(argv[6], NULL, 10);
    total = (size_t)threads * per_thread;
    capacity = total + 1000;
    slots = calloc(total + 1000, sizeof(slot_t));
    tags = calloc(total + 1000, sizeof(char *));
    for (size_t i = 0; i < total + 1000; i++) {
        tags[i] = malloc(32);
        snprintf(tags[i], 32, "tag-%zu", i);
    }
    call_t c;
    call_init(&c);
    char config[2048];
    snprintf(config, sizeof config,
             "{\"sdk_config_config_file_path\":\"%s/data\",\"sdk_config_log_file_path\":\"%s/log\",\"sdk_config_server_url\":\"%s\"}",
             argv[3], argv[3], argv[1]);
    CHECK(TIMInit(strtoull(argv[2], NULL, 10), config) == TIM_SUCC, "init");
    CHECK(TIMLogin("alice", argv[4], on_done, &c) == TIM_SUCC, "login");
    CHECK(wait_call(&c) == 0, "login code %d", c.code);
    call_reset(&c);

    /* The hammer. */
    pthread_t *ids = calloc((size_t)threads, sizeof(pthread_t));
    range_t *ranges = calloc((size_t)threads, sizeof(range_t));
    for (int t = 0; t < threads; t++) {
        ranges[t].from = (size_t)t * per_thread;
        ranges[t].to = ranges[t].from + per_thread;
        pthread_create(&ids[t], NULL, worker, &ranges[t]);
    }
    for (int t = 0; t < threads; t++) pthread_join(ids[t], NULL);
    size_t missing = wait_answers(total);
    size_t wrong_ret = 0, double_calls = 0, refused_called = 0;
    for (size_t i = 0; i < total; i++) {
        if (slots[i].ret != expected_ret(i)) wrong_ret++;
        if (slots[i].calls > 1) double_calls++;
        if (slots[i].ret != TIM_SUCC && slots[i].calls != 0) refused_called++;
    }
    CHECK(missing == 0, "%zu accepted calls were never answered", missing);
    CHECK(wrong_ret == 0, "%zu calls returned an unexpected code", wrong_ret);
    CHECK(double_calls == 0, "%zu callbacks ran more than once", double_calls);
    CHECK(refused_called == 0, "%zu refused calls called back", refused_called);

    /* TIMUninit while calls are in flight: each is still answered once,
     * and nothing runs after it returns. */
    size_t burst_from = total;
    for (size_t i = burst_from; i < burst_from + 500; i++) {
        const void *ud = (i % 3 == 0) ? (const void *)tags[i] : (const void *)&slots[i];
        slots[i].ret = TIMConvGetConvList(on_call, ud);
    }
    CHECK(TIMUninit() == TIM_SUCC, "uninit");
    int at_return = __atomic_load_n(&callbacks, __ATOMIC_SEQ_CST);
    sleep_ms(500);
    CHECK(__atomic_load_n(&callbacks, __ATOMIC_SEQ_CST) == at_return, "a callback ran after TIMUninit returned");
    size_t burst_unanswered = 0;
    for (size_t i = burst_from; i < burst_from + 500; i++)
        if (slots[i].ret == TIM_SUCC && slots[i].calls != 1) burst_unanswered++;
    CHECK(burst_unanswered == 0, "%zu calls in flight at TIMUninit were not answered exactly once", burst_unanswered);

    CHECK(null_strings == 0, "%d callbacks got a NULL string", null_strings);
    CHECK(foreign_user_data == 0, "%d callbacks got a user_data that was not passed", foreign_user_data);
    CHECK(on_caller_thread == 0, "%d callbacks ran on a calling thread", on_caller_thread);
    CHECK(wrong_thread == 0, "%d callbacks ran off the callback thread", wrong_thread);
    printf("contract: %zu calls, %d callbacks, %d failures\n", total + 500, callbacks, failures);

    for (size_t i = 0; i < total + 1000; i++) free(tags[i]);
    free(tags);
    free(slots);
    free(ids);
    free(ranges);
    call_reset(&c);
    return failures ? 1 : 0;
}
