/*
 * User profiles through libImSDK as a C app calls them: changing one's
 * own profile (with Tencent's refusal codes), reading profiles, the
 * self-profile and user-profile callbacks, and the peer's nickname as
 * the conversation's show name.
 *
 * Usage: profiles <server_url> <sdk_app_id> <data_dir> <alice_user_sig>
 * Before it runs, bob set his nickname to "Bob" and sent alice a
 * message. When the program creates <data_dir>/want-rename, bob renames
 * himself "Bobby".
 * Prints "profiles: N failures" and exits non-zero on any failure.
 * License: MIT OR Apache-2.0.
 */
#include "harness.h"

static call_t events;
static int sync_finished = 0;
static int self_updates = 0;
static char self_json[4096];
static int user_updates = 0;
static char user_json[4096];
static const char *const TAG = "profiles";
static int tag_ok = 1;

static void on_conv_event(enum TIMConvEvent event, const char *json, const void *user_data) {
    (void)json;
    if (user_data != TAG) tag_ok = 0;
    pthread_mutex_lock(&events.lock);
    if (event == kTIMConvEvent_Finish) sync_finished = 1;
    pthread_cond_broadcast(&events.cond);
    pthread_mutex_unlock(&events.lock);
}

static void on_self_info(const char *json, const void *user_data) {
    if (user_data != TAG || json == NULL) tag_ok = 0;
    pthread_mutex_lock(&events.lock);
    self_updates++;
    snprintf(self_json, sizeof self_json, "%s", json ? json : "");
    pthread_cond_broadcast(&events.cond);
    pthread_mutex_unlock(&events.lock);
}

static void on_user_info(const char *json, const void *user_data) {
    if (user_data != TAG || json == NULL) tag_ok = 0;
    pthread_mutex_lock(&events.lock);
    user_updates++;
    snprintf(user_json, sizeof user_json, "%s", json ? json : "");
    pthread_cond_broadcast(&events.cond);
    pthread_mutex_unlock(&events.lock);
}

/* Calls TIMProfileModifySelfUserProfile and waits: its code. */
static int modify(call_t *c, const char *json) {
    call_reset(c);
    CHECK(TIMProfileModifySelfUserProfile(json, on_done, c) == TIM_SUCC, "modify %s", json);
    return wait_call(c);
}

int main(int argc, char **argv) {
    args_t args;
    if (!read_args(argc, argv, "profiles", &args)) return 2;
    const char *server = args.server;
    uint64_t app = args.app;
    const char *dir = args.dir;
    const char *sig = args.sig;
    call_t c;
    call_init(&c);
    call_init(&events);

    TIMSetConvEventCallback(on_conv_event, TAG);
    TIMSetSelfInfoUpdatedCallback(on_self_info, TAG);
    TIMSetUserInfoChangedCallback(on_user_info, TAG);
    init_and_login(app, server, dir, "alice", sig, &c);
    CHECK(wait_count(&events, &sync_finished, 1), "the first sync finished");

    /* Changing one's own profile: the self callback has fired when the
     * call answers. */
    CHECK(modify(&c, "{\"user_profile_item_nick_name\":\"Alice C\",\"user_profile_item_gender\":2,"
                     "\"user_profile_item_face_url\":\"https://faces.example/a.png\"}") == 0,
          "modify code %d desc %s", c.code, c.desc);
    CHECK(c.json != NULL && c.json[0] == '\0', "modify answers \"\", got %s", c.json);
    pthread_mutex_lock(&events.lock);
    CHECK(self_updates == 1, "one self-profile callback, got %d", self_updates);
    CHECK(has(self_json, "\"user_profile_nick_name\":\"Alice C\""), "self json %s", self_json);
    CHECK(has(self_json, "\"user_profile_gender\":2"), "self json %s", self_json);
    pthread_mutex_unlock(&events.lock);

    /* Refused changes: Tencent's codes through the callback. */
    CHECK(modify(&c, "{}") == 40001, "nothing to change: %d", c.code);
    CHECK(modify(&c, "{\"user_profile_item_gender\":9}") == 40605, "gender: %d", c.code);
    char long_nick[700];
    memset(long_nick, 0, sizeof long_nick);
    strcpy(long_nick, "{\"user_profile_item_nick_name\":\"");
    memset(long_nick + strlen(long_nick), 'n', 501);
    strcat(long_nick, "\"}");
    CHECK(modify(&c, long_nick) == 40601, "long nickname: %d", c.code);
    CHECK(modify(&c, "{\"user_profile_item_custom_string_array\":[{\"user_profile_custom_string_info_key\":"
                     "\"Nope\",\"user_profile_custom_string_info_value\":\"x\"}]}") == 40009,
          "undeclared custom field: %d", c.code);
    /* Malformed JSON is refused before any call: no callback. */
    call_reset(&c);
    CHECK(TIMProfileModifySelfUserProfile("{not json", on_done, &c) == TIM_ERR_JSON, "bad json");
    CHECK(TIMProfileGetUserProfileList("[]", on_done, &c) == TIM_ERR_JSON, "wrong shape");
    sleep_ms(50);
    CHECK(c.calls == 0, "no callback for a refused call");

    /* Reading profiles: in the order asked, each once. */
    call_reset(&c);
    CHECK(TIMProfileGetUserProfileList("{\"friendship_getprofilelist_param_identifier_array\":"
                                       "[\"bob\",\"alice\",\"bob\"],"
                                       "\"friendship_getprofilelist_param_force_update\":false}",
                                       on_done, &c) == TIM_SUCC, "get profiles");
    CHECK(wait_call(&c) == 0, "get profiles code %d desc %s", c.code, c.desc);
    CHECK(count_of(c.json, "\"user_profile_identifier\"") == 2, "two profiles: %s", c.json);
    const char *bob = c.json ? strstr(c.json, "\"user_profile_identifier\":\"bob\"") : NULL;
    const char *alice = c.json ? strstr(c.json, "\"user_profile_identifier\":\"alice\"") : NULL;
    CHECK(bob != NULL && alice != NULL && bob < alice, "bob first: %s", c.json);
    CHECK(has(c.json, "\"user_profile_nick_name\":\"Bob\""), "bob's nickname: %s", c.json);
    CHECK(has(c.json, "\"user_profile_nick_name\":\"Alice C\""), "our nickname: %s", c.json);
    call_reset(&c);
    CHECK(TIMProfileGetUserProfileList("{\"friendship_getprofilelist_param_identifier_array\":[]}",
                                       on_done, &c) == TIM_SUCC, "no users");
    CHECK(wait_call(&c) == ERR_INVALID_PARAMETERS, "no users: %d", c.code);

    /* The conversation with bob shows his nickname. */
    call_reset(&c);
    CHECK(TIMConvGetConvList(on_done, &c) == TIM_SUCC, "conv list");
    CHECK(wait_call(&c) == 0, "conv list code %d", c.code);
    CHECK(has(c.json, "\"conv_show_name\":\"Bob\""), "show name: %s", c.json);

    /* Bob renames himself: the user-profile callback, and the show name. */
    char path[1024];
    snprintf(path, sizeof path, "%s/want-rename", dir);
    FILE *f = fopen(path, "w");
    CHECK(f != NULL, "create %s", path);
    if (f) fclose(f);
    CHECK(wait_count(&events, &user_updates, 1) == 1, "one user-profile callback, got %d", user_updates);
    pthread_mutex_lock(&events.lock);
    CHECK(user_json[0] == '[' && has(user_json, "\"user_profile_nick_name\":\"Bobby\""),
          "user json %s", user_json);
    pthread_mutex_unlock(&events.lock);
    call_reset(&c);
    CHECK(TIMConvGetConvList(on_done, &c) == TIM_SUCC, "conv list");
    CHECK(wait_call(&c) == 0, "conv list code %d", c.code);
    CHECK(has(c.json, "\"conv_show_name\":\"Bobby\""), "renamed: %s", c.json);

    /* Unregistered callbacks are not called. */
    TIMSetSelfInfoUpdatedCallback(NULL, NULL);
    CHECK(modify(&c, "{\"user_profile_item_nick_name\":\"Alice D\"}") == 0, "modify again");
    sleep_ms(100);
    pthread_mutex_lock(&events.lock);
    CHECK(self_updates == 1, "unregistered, got %d", self_updates);
    pthread_mutex_unlock(&events.lock);

    CHECK(tag_ok, "every callback got its user_data and a JSON string");
    call_reset(&c);
    CHECK(TIMLogout(on_done, &c) == TIM_SUCC, "logout");
    wait_call(&c);
    CHECK(TIMUninit() == TIM_SUCC, "uninit");
    printf("profiles: %d failures\n", failures);
    return failures == 0 ? 0 : 1;
}
