/*
 * The examples of Tencent's conversation and message documentation, run
 * through libImSDK as a C app would: conversation list by filter with
 * paging, marks with a custom bit, conversation groups with their error
 * codes, drafts, send, revoke, find, locators, history, import, search,
 * batch send, unread cleaning; and the JSON each callback receives.
 *
 * Usage: seeds <server_url> <sdk_app_id> <data_dir> <alice_user_sig>
 * Before it runs, bob sent alice three C2C messages ("hello 1..3") and
 * created group "g-seeds" with alice in it (its creation tip counts as
 * unread, as Tencent's group tips do), where he sent two messages. When
 * the program creates <data_dir>/want-live, bob sends one more.
 * Prints "seeds: N failures" and exits non-zero on any failure.
 * License: MIT OR Apache-2.0.
 */
#include "harness.h"

static call_t conv_events;
static int sync_finished = 0;
static int conv_added = 0, conv_updated = 0, conv_deleted = 0;
static int new_messages = 0;
static char group_created_name[64];
static char group_renamed[128];
static const char *const TAG = "a C string the app wants back";
static int tag_ok = 1;

static void on_conv_event(enum TIMConvEvent event, const char *json, const void *user_data) {
    if (user_data != TAG || json == NULL) tag_ok = 0;
    pthread_mutex_lock(&conv_events.lock);
    if (event == kTIMConvEvent_Finish) sync_finished = 1;
    if (event == kTIMConvEvent_Add) conv_added++;
    if (event == kTIMConvEvent_Update) conv_updated++;
    if (event == kTIMConvEvent_Del) conv_deleted++;
    pthread_cond_broadcast(&conv_events.cond);
    pthread_mutex_unlock(&conv_events.lock);
}

static void on_new_message(const char *json, const void *user_data) {
    if (user_data != TAG || json == NULL) tag_ok = 0;
    __atomic_add_fetch(&new_messages, 1, __ATOMIC_SEQ_CST);
}

static void on_group_created(const char *name, const char *convs, const void *user_data) {
    if (user_data != TAG || convs == NULL) tag_ok = 0;
    snprintf(group_created_name, sizeof group_created_name, "%s", name);
}

static void on_group_renamed(const char *old_name, const char *new_name, const void *user_data) {
    if (user_data != TAG) tag_ok = 0;
    snprintf(group_renamed, sizeof group_renamed, "%s->%s", old_name, new_name);
}

static int log_lines = 0;
static void on_log(enum TIMLogLevel level, const char *text, const void *user_data) {
    if (user_data != TAG || text == NULL || level < kTIMLog_Info) tag_ok = 0;
    __atomic_add_fetch(&log_lines, 1, __ATOMIC_SEQ_CST);
}

/* The second session ends from inside a callback: TIMUninit there runs
 * what is queued behind it, and nothing after it returns. */
static call_t uninit_call;
static int after_uninit = 0;
static int uninit_from_callback = -1000;
static int null_user_data_is_empty = 0;
static void on_list_then_uninit(int32_t code, const char *desc, const char *json, const void *user_data) {
    (void)code; (void)desc; (void)json;
    /* Passed NULL: it comes back as "" (wrappers read it as a string). */
    null_user_data_is_empty = user_data != NULL && *(const char *)user_data == '\0';
    /* One more call first: it is answered before TIMUninit returns. */
    TIMConvGetTotalUnreadMessageCount(on_done, &uninit_call);
    uninit_from_callback = TIMUninit();
    after_uninit = uninit_call.calls;
}

/* Waits until the first sync finished (kTIMConvEvent_Finish). */
static int wait_sync(void) {
    for (int i = 0; i < 200; i++) {
        pthread_mutex_lock(&conv_events.lock);
        int done = sync_finished;
        pthread_mutex_unlock(&conv_events.lock);
        if (done) return 1;
        sleep_ms(100);
    }
    return 0;
}

int main(int argc, char **argv) {
    args_t args;
    if (!read_args(argc, argv, "seeds", &args)) return 2;
    const char *server = args.server;
    uint64_t app = args.app;
    const char *dir = args.dir;
    const char *sig = args.sig;
    call_t c;
    call_init(&c);
    call_init(&conv_events);

    /* Tencent's wrappers call this before TIMInit. */
    CHECK(callExperimentalAPI("{\"request_internal_operation\":\"internal_operation_set_ui_platform\","
                              "\"request_set_ui_platform_param\":\"electron\"}", on_done, &c) == TIM_SUCC, "experimental");
    CHECK(wait_call(&c) == 0, "set_ui_platform code %d", c.code);
    call_reset(&c);
    CHECK(callExperimentalAPI("{\"request_internal_operation\":\"no_such_operation\"}", on_done, &c) == TIM_SUCC, "unknown op");
    CHECK(wait_call(&c) == ERR_INVALID_PARAMETERS, "unknown op code %d", c.code);
    call_reset(&c);

    TIMSetConvEventCallback(on_conv_event, TAG);
    TIMAddRecvNewMsgCallback(on_new_message, TAG);
    TIMSetConvConversationGroupCreatedCallback(on_group_created, TAG);
    TIMSetConvConversationGroupNameChangedCallback(on_group_renamed, TAG);
    TIMSetLogCallback(on_log, TAG);

    char config[2048];
    snprintf(config, sizeof config,
             "{\"sdk_config_config_file_path\":\"%s/data\",\"sdk_config_log_file_path\":\"%s/logs/nested\","
             "\"sdk_config_server_url\":\"%s\"}", dir, dir, server);
    CHECK(TIMGetLoginStatus() == kTIMLoginStatus_UnLogined, "status before init");
    CHECK(TIMInit(app, config) == TIM_SUCC, "init");
    CHECK(strlen(TIMGetSDKVersion()) > 0, "version");
    CHECK(TIMGetServerTime() > 1600000000ULL, "server time");

    /* Login. */
    CHECK(TIMLogin("alice", sig, on_done, &c) == TIM_SUCC, "login");
    CHECK(wait_call(&c) == 0, "login code %d desc %s", c.code, c.desc);
    CHECK(c.desc != NULL && c.json != NULL, "login strings are never NULL");
    call_reset(&c);
    CHECK(TIMGetLoginStatus() == kTIMLoginStatus_Logined, "status after login");
    char user[128];
    CHECK(TIMGetLoginUserID(user) == TIM_SUCC && strcmp(user, "alice") == 0, "login user %s", user);
    CHECK(wait_sync(), "the first sync finished");

    /* Conversation list: bob's three and the group's two unread. */
    CHECK(TIMConvGetConvList(on_done, &c) == TIM_SUCC, "conv list");
    CHECK(wait_call(&c) == 0, "conv list code %d", c.code);
    CHECK(has(c.json, "\"conv_id\":\"bob\""), "bob's conversation: %s", c.json);
    CHECK(has(c.json, "\"conv_unread_num\":3"), "bob's unread: %s", c.json);
    CHECK(has(c.json, "\"conv_id\":\"g-seeds\"") && has(c.json, "\"conv_unread_num\":3"), "group: %s", c.json);
    call_reset(&c);

    /* By filter, one per page: next_seq carries on until finished. */
    CHECK(TIMConvGetConversationListByFilter("{\"conversation_list_filter_conv_type\":0}", 0, 1, on_done, &c) == TIM_SUCC, "page 1");
    CHECK(wait_call(&c) == 0, "page 1 code %d", c.code);
    CHECK(has(c.json, "\"conversation_list_result_is_finished\":false"), "page 1 not finished: %s", c.json);
    CHECK(count_of(c.json, "\"conv_id\"") == 1, "one conversation on page 1: %s", c.json);
    const char *seq = c.json ? strstr(c.json, "\"conversation_list_result_next_seq\":") : NULL;
    unsigned long long next = seq ? strtoull(seq + strlen("\"conversation_list_result_next_seq\":"), NULL, 10) : 0;
    CHECK(next > 0 && next < (1ULL << 53), "next_seq %llu below 2^53", next);
    call_reset(&c);
    CHECK(TIMConvGetConversationListByFilter("{\"conversation_list_filter_conv_type\":0}", next, 1, on_done, &c) == TIM_SUCC, "page 2");
    CHECK(wait_call(&c) == 0, "page 2 code %d", c.code);
    CHECK(count_of(c.json, "\"conv_id\"") == 1, "one conversation on page 2: %s", c.json);
    call_reset(&c);

    /* Marks: star and a custom bit 32 together. */
    uint64_t custom = 0x1ULL << 32;
    CHECK(TIMConvMarkConversation("[\"c2c_bob\"]", kTIMConversationMarkTypeStar | custom, true, on_done, &c) == TIM_SUCC, "mark");
    CHECK(wait_call(&c) == 0, "mark code %d", c.code);
    CHECK(has(c.json, "\"conversation_operation_result_conversation_id\":\"c2c_bob\"") &&
          has(c.json, "\"conversation_operation_result_result_code\":0"), "mark result: %s", c.json);
    call_reset(&c);
    CHECK(TIMConvGetConversationListByFilter("{\"conversation_list_filter_mark_type\":4294967296}", 0, 100, on_done, &c) == TIM_SUCC, "by mark");
    CHECK(wait_call(&c) == 0, "by mark code %d", c.code);
    CHECK(count_of(c.json, "\"conv_id\"") == 1 && has(c.json, "\"conv_id\":\"bob\""), "only bob is marked: %s", c.json);
    CHECK(has(c.json, "\"conv_mark_array\":[1,4294967296]"), "marks: %s", c.json);
    call_reset(&c);
    CHECK(TIMConvMarkConversation("[\"c2c_bob\"]", 0x1ULL << 10, true, on_done, &c) == TIM_SUCC, "reserved mark");
    CHECK(wait_call(&c) == ERR_INVALID_PARAMETERS, "a reserved bit fails with 6017, got %d", c.code);
    call_reset(&c);

    /* Conversation groups and their error codes. */
    CHECK(TIMConvCreateConversationGroup("work", "[\"c2c_bob\"]", on_done, &c) == TIM_SUCC, "create group");
    CHECK(wait_call(&c) == 0, "create group code %d", c.code);
    CHECK(has(c.json, "\"conversation_operation_result_result_code\":0"), "create group result: %s", c.json);
    call_reset(&c);
    CHECK(TIMConvGetConversationGroupList(on_done, &c) == TIM_SUCC, "group list");
    CHECK(wait_call(&c) == 0 && has(c.json, "[\"work\"]"), "group list: %s", c.json);
    call_reset(&c);
    CHECK(TIMConvAddConversationsToGroup("missing", "[\"c2c_bob\"]", on_done, &c) == TIM_SUCC, "add to missing");
    CHECK(wait_call(&c) == ERR_SVR_CONV_CONV_GROUP_NOT_EXIST, "missing group gives 51009, got %d", c.code);
    call_reset(&c);
    CHECK(TIMConvCreateConversationGroup("a-name-of-thirty-three-bytes-long", "[\"c2c_bob\"]", on_done, &c) == TIM_SUCC, "long name");
    CHECK(wait_call(&c) == ERR_SVR_CONV_CONV_GROUP_NAME_EXCEED_LENGTH, "33 bytes gives 51011, got %d", c.code);
    call_reset(&c);
    CHECK(TIMConvRenameConversationGroup("work", "team", on_done, &c) == TIM_SUCC, "rename");
    CHECK(wait_call(&c) == 0 && c.json && c.json[0] == '\0', "rename code %d json %s", c.code, c.json);
    call_reset(&c);
    CHECK(TIMConvGetConversationListByFilter("{\"conversation_list_filter_conversation_group\":\"team\"}", 0, 100, on_done, &c) == TIM_SUCC, "by group");
    CHECK(wait_call(&c) == 0 && has(c.json, "\"conv_conversation_group_array\":[\"team\"]"), "bob in team: %s", c.json);
    call_reset(&c);
    CHECK(strcmp(group_created_name, "work") == 0, "group-created callback got %s", group_created_name);
    CHECK(strcmp(group_renamed, "work->team") == 0, "group-renamed callback got %s", group_renamed);

    /* Drafts: synchronous. */
    CHECK(TIMConvSetDraft("bob", kTIMConv_C2C,
                          "{\"draft_msg\":{\"message_elem_array\":[{\"elem_type\":0,\"text_elem_content\":\"half a thought\"}]},"
                          "\"draft_user_define\":\"ui-state\",\"draft_edit_time\":1700000000}") == TIM_SUCC, "set draft");
    CHECK(TIMConvGetConvInfo("[{\"get_conversation_list_param_conv_id\":\"bob\",\"get_conversation_list_param_conv_type\":1}]", on_done, &c) == TIM_SUCC, "conv info");
    CHECK(wait_call(&c) == 0 && has(c.json, "\"conv_is_has_draft\":true") && has(c.json, "half a thought"), "draft: %s", c.json);
    call_reset(&c);
    CHECK(TIMConvCancelDraft("bob", kTIMConv_C2C) == TIM_SUCC, "cancel draft");
    CHECK(TIMConvSetDraft("bob", (enum TIMConvType)7, "{}") == TIM_ERR_CONV, "bad type is TIM_ERR_CONV");

    /* Send: the id is in the buffer when the call returns. */
    char msg_id[128] = "unset";
    CHECK(TIMMsgSendMessage("bob", kTIMConv_C2C,
                            "{\"message_elem_array\":[{\"elem_type\":0,\"text_elem_content\":\"hello bob, from C\"}]}",
                            msg_id, on_done, &c) == TIM_SUCC, "send");
    CHECK(strlen(msg_id) > 0 && strcmp(msg_id, "unset") != 0, "message id written before return: %s", msg_id);
    CHECK(wait_call(&c) == 0, "send code %d desc %s", c.code, c.desc);
    char needle[256];
    snprintf(needle, sizeof needle, "\"message_msg_id\":\"%s\"", msg_id);
    CHECK(has(c.json, needle) && has(c.json, "\"message_status\":2"), "sent message: %s", c.json);
    char *sent = c.json ? strdup(c.json) : NULL;
    call_reset(&c);

    /* Revoke what was sent, then find it by id: status 6. */
    CHECK(TIMMsgRevoke("bob", kTIMConv_C2C, sent ? sent : "{}", on_done, &c) == TIM_SUCC, "revoke");
    CHECK(wait_call(&c) == 0, "revoke code %d desc %s", c.code, c.desc);
    call_reset(&c);
    char ids[256];
    snprintf(ids, sizeof ids, "[\"%s\"]", msg_id);
    CHECK(TIMMsgFindMessages(ids, on_done, &c) == TIM_SUCC, "find");
    CHECK(wait_call(&c) == 0 && has(c.json, needle) && has(c.json, "\"message_status\":6"), "found revoked: %s", c.json);
    call_reset(&c);
    free(sent);

    /* History, newest first, from the server (a first sync brings the
     * conversations, not their history); the page is stored here too. */
    CHECK(TIMMsgGetMsgList("bob", kTIMConv_C2C, "{\"msg_getmsglist_param_count\":20,\"msg_getmsglist_param_is_ramble\":true}", on_done, &c) == TIM_SUCC, "history");
    CHECK(wait_call(&c) == 0, "history code %d", c.code);
    CHECK(has(c.json, "hello 1") && has(c.json, "hello 3") && count_of(c.json, "\"message_msg_id\"") == 4, "history: %s", c.json);
    /* A locator of bob's first message, from its fields in the history. */
    const char *first = c.json ? strstr(c.json, "hello 1") : NULL;
    const char *seq_at = first ? strstr(first, "\"message_seq\":") : NULL;
    const char *rand_at = first ? strstr(first, "\"message_rand\":") : NULL;
    const char *time_at = first ? strstr(first, "\"message_server_time\":") : NULL;
    unsigned long long lseq = seq_at ? strtoull(seq_at + 14, NULL, 10) : 0;
    unsigned long long lrand = rand_at ? strtoull(rand_at + 15, NULL, 10) : 0;
    unsigned long long ltime = time_at ? strtoull(time_at + 22, NULL, 10) : 0;
    call_reset(&c);
    char locator[512];
    snprintf(locator, sizeof locator,
             "[{\"message_locator_conv_id\":\"bob\",\"message_locator_conv_type\":1,\"message_locator_is_revoked\":false,"
             "\"message_locator_time\":%llu,\"message_locator_seq\":%llu,\"message_locator_rand\":%llu,"
             "\"message_locator_is_self\":false,\"message_locator_unique_id\":0}]", ltime, lseq, lrand);
    CHECK(TIMMsgFindByMsgLocatorList("bob", kTIMConv_C2C, locator, on_done, &c) == TIM_SUCC, "locators");
    CHECK(wait_call(&c) == 0 && count_of(c.json, "\"message_msg_id\"") == 1 && has(c.json, "hello 1"), "by locator: %s (%s)", c.json, locator);
    call_reset(&c);

    /* Import: the messages get kTIMMsg_LocalImported (5). */
    CHECK(TIMMsgImportMsgList("carol", kTIMConv_C2C,
                              "[{\"message_sender\":\"carol\",\"message_client_time\":1700000000,\"message_server_time\":1700000000,"
                              "\"message_elem_array\":[{\"elem_type\":0,\"text_elem_content\":\"an imported greeting\"}]}]",
                              on_done, &c) == TIM_SUCC, "import");
    CHECK(wait_call(&c) == 0, "import code %d desc %s", c.code, c.desc);
    call_reset(&c);
    CHECK(TIMMsgGetMsgList("carol", kTIMConv_C2C, "{\"msg_getmsglist_param_count\":20}", on_done, &c) == TIM_SUCC, "carol history");
    CHECK(wait_call(&c) == 0 && has(c.json, "an imported greeting") && has(c.json, "\"message_status\":5"), "imported: %s", c.json);
    call_reset(&c);

    /* Local search in every conversation. */
    CHECK(TIMMsgSearchLocalMessages("{\"msg_search_param_keyword_array\":[\"hello\"],\"msg_search_param_page_index\":0,"
                                    "\"msg_search_param_page_size\":10}", on_done, &c) == TIM_SUCC, "search");
    CHECK(wait_call(&c) == 0, "search code %d", c.code);
    CHECK(has(c.json, "\"msg_search_result_total_count\":1") && has(c.json, "\"msg_search_result_item_conv_id\":\"bob\""), "search: %s", c.json);
    CHECK(has(c.json, "\"msg_search_result_item_total_message_count\":3"), "three hellos from bob: %s", c.json);
    call_reset(&c);

    /* Batch send to two users. */
    CHECK(TIMMsgBatchSend("{\"msg_batch_send_param_identifier_array\":[\"bob\",\"carol\"],\"msg_batch_send_param_msg\":"
                          "{\"message_elem_array\":[{\"elem_type\":0,\"text_elem_content\":\"to both\"}]}}", on_done, &c) == TIM_SUCC, "batch");
    CHECK(wait_call(&c) == 0, "batch code %d desc %s", c.code, c.desc);
    CHECK(count_of(c.json, "\"msg_batch_send_result_code\":0") == 2, "two results: %s", c.json);
    call_reset(&c);

    /* A group message, then clean bob's unread: the total is the group's. */
    char gid[128];
    CHECK(TIMMsgSendMessage("g-seeds", kTIMConv_Group,
                            "{\"message_elem_array\":[{\"elem_type\":0,\"text_elem_content\":\"hi group\"}]}", gid, on_done, &c) == TIM_SUCC, "group send");
    CHECK(wait_call(&c) == 0 && has(c.json, "\"message_conv_type\":2"), "group send: %d %s", c.code, c.json);
    call_reset(&c);
    CHECK(TIMConvCleanConversationUnreadMessageCount("c2c_bob", 0, 0, on_done, &c) == TIM_SUCC, "clean");
    CHECK(wait_call(&c) == 0, "clean code %d", c.code);
    call_reset(&c);
    CHECK(TIMConvGetTotalUnreadMessageCount(on_done, &c) == TIM_SUCC, "total");
    CHECK(wait_call(&c) == 0 && has(c.json, "{\"conv_get_total_unread_message_count_result_unread_count\":3}"), "total: %s", c.json);
    call_reset(&c);

    /* Synchronous refusals never call back. */
    CHECK(TIMConvGetConversationListByFilter("{bad", 0, 10, on_done, &c) == TIM_ERR_JSON, "bad JSON");
    CHECK(TIMConvMarkConversation(NULL, 1, true, on_done, &c) == TIM_ERR_PARAM, "NULL array");
    CHECK(TIMMsgGetMsgList("bob", kTIMConv_C2C, "{\"msg_getmsglist_param_count\":\"ten\"}", on_done, &c) == TIM_ERR_JSON, "wrong type");
    /* An unserved function fails through its callback. */
    CHECK(TIMMsgTranslateText("[\"hi\"]", "en", "fr", on_done, &c) == TIM_SUCC, "translate");
    CHECK(wait_call(&c) == ERR_SVR_COMM_INVALID_SERVICE, "translation gives 60020, got %d", c.code);
    CHECK(c.calls == 1, "only the translate callback ran, %d", c.calls);
    call_reset(&c);

    /* Delete bob's conversation with its messages. */
    CHECK(TIMConvDelete("bob", kTIMConv_C2C, on_done, &c) == TIM_SUCC, "delete");
    CHECK(wait_call(&c) == 0, "delete code %d desc %s", c.code, c.desc);
    call_reset(&c);
    /* A message that arrives now comes through the new-message callback:
     * the test signals it wants one (a file in the data folder) and bob
     * sends it. */
    char want_live[1024];
    snprintf(want_live, sizeof want_live, "%s/want-live", dir);
    FILE *signal_file = fopen(want_live, "w");
    if (signal_file) fclose(signal_file);
    for (int i = 0; i < 100 && __atomic_load_n(&new_messages, __ATOMIC_SEQ_CST) == 0; i++) sleep_ms(100);
    CHECK(new_messages >= 1, "new-message callback ran %d times", new_messages);
    CHECK(conv_updated > 0, "update events %d", conv_updated);
    for (int i = 0; i < 50 && conv_deleted == 0; i++) sleep_ms(100);
    CHECK(conv_deleted > 0, "delete event %d", conv_deleted);

    CHECK(TIMLogout(on_done, &c) == TIM_SUCC, "logout");
    CHECK(wait_call(&c) == 0, "logout code %d", c.code);
    call_reset(&c);
    CHECK(TIMGetLoginUserID(user) == TIM_ERR_NOTLOGIN && user[0] == '\0', "no user after logout");
    CHECK(TIMUninit() == TIM_SUCC, "uninit");
    CHECK(TIMConvGetConvList(on_done, &c) == TIM_ERR_SDKUNINIT, "calls after uninit");
    CHECK(TIMUninit() == TIM_ERR_SDKUNINIT, "a second uninit");
    CHECK(log_lines > 0, "the log callback ran");

    /* A second session in the same process, ended from a callback. */
    call_init(&uninit_call);
    CHECK(TIMInit(app, config) == TIM_SUCC, "init again");
    CHECK(TIMLogin("alice", sig, on_done, &c) == TIM_SUCC, "login again");
    CHECK(wait_call(&c) == 0, "login again code %d", c.code);
    call_reset(&c);
    CHECK(TIMConvGetConvList(on_list_then_uninit, NULL) == TIM_SUCC, "list, then uninit inside");
    for (int i = 0; i < 100 && uninit_from_callback == -1000; i++) sleep_ms(100);
    CHECK(uninit_from_callback == TIM_SUCC, "TIMUninit from a callback returned %d", uninit_from_callback);
    CHECK(after_uninit == 1, "the call made before it was answered inside it (%d)", after_uninit);
    sleep_ms(300);
    CHECK(uninit_call.calls == 1, "answered once (%d)", uninit_call.calls);
    CHECK(TIMGetLoginStatus() == kTIMLoginStatus_UnLogined, "status after uninit");
    CHECK(null_user_data_is_empty, "a NULL user_data came back as \"\"");
    CHECK(tag_ok, "user_data came back unchanged and strings were never NULL");
    printf("seeds: %d failures\n", failures);
    return failures ? 1 : 0;
}
