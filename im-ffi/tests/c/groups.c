/*
 * Groups through libImSDK as a C app calls them: creating one, the
 * joined list and information list, changing its information, a member's
 * role and mute, the member list by role, a join request answered by the
 * group's owner, the join-request list, its read report and a refused
 * answer, the group-tips callback, and dismissal.
 *
 * Usage: groups <server_url> <sdk_app_id> <data_dir> <alice_user_sig>
 * Before it runs, bob created the Public group "bobs" (joined by
 * request). When the program creates <data_dir>/want-answer, bob accepts
 * alice's request.
 * Prints "groups: N failures" and exits non-zero on any failure.
 * License: MIT OR Apache-2.0.
 */
#include "harness.h"

static call_t events;
static int sync_finished = 0;
static int tips = 0;
static int team_tips = 0;
static int bobs_tips = 0;
static const char *const TAG = "groups";
static int tag_ok = 1;

static void on_conv_event(enum TIMConvEvent event, const char *json, const void *user_data) {
    (void)json;
    (void)user_data;
    pthread_mutex_lock(&events.lock);
    if (event == kTIMConvEvent_Finish) sync_finished = 1;
    pthread_cond_broadcast(&events.cond);
    pthread_mutex_unlock(&events.lock);
}

static void on_tip(const char *json, const void *user_data) {
    if (user_data != TAG || json == NULL) tag_ok = 0;
    pthread_mutex_lock(&events.lock);
    tips++;
    if (has(json, "\"group_tips_elem_group_id\":\"c-team\"")) team_tips++;
    if (has(json, "\"group_tips_elem_group_id\":\"bobs\"")) bobs_tips++;
    pthread_cond_broadcast(&events.cond);
    pthread_mutex_unlock(&events.lock);
}

typedef int (*json_fn)(const char *, TIMCommCallback, const void *);

/* Calls a function taking one JSON parameter and waits: its code. */
static int run(json_fn fn, call_t *c, const char *json) {
    call_reset(c);
    CHECK(fn(json, on_done, c) == TIM_SUCC, "call with %s", json);
    return wait_call(c);
}

int main(int argc, char **argv) {
    args_t args;
    if (!read_args(argc, argv, "groups", &args)) return 2;
    const char *server = args.server;
    uint64_t app = args.app;
    const char *dir = args.dir;
    const char *sig = args.sig;
    call_t c;
    call_init(&c);
    call_init(&events);

    TIMSetConvEventCallback(on_conv_event, TAG);
    TIMSetGroupTipsEventCallback(on_tip, TAG);
    init_and_login(app, server, dir, "alice", sig, &c);
    CHECK(wait_count(&events, &sync_finished, 1) == 1, "the first sync finished");

    CHECK(run(TIMGroupCreate, &c,
              "{\"create_group_param_group_id\":\"c-team\",\"create_group_param_group_name\":\"Team\","
              "\"create_group_param_group_type\":0,\"create_group_param_group_member_array\":"
              "[{\"group_member_info_identifier\":\"carol\"}]}") == 0,
          "create: %d %s", c.code, c.desc);
    CHECK(has(c.json, "\"create_group_result_groupid\":\"c-team\""), "created: %s", c.json);

    call_reset(&c);
    CHECK(TIMGroupGetJoinedGroupList(on_done, &c) == TIM_SUCC, "joined list");
    CHECK(wait_call(&c) == 0, "joined list code %d", c.code);
    CHECK(has(c.json, "\"group_base_info_group_id\":\"c-team\""), "joined: %s", c.json);
    CHECK(has(c.json, "\"group_self_info_role\":400"), "owner: %s", c.json);

    CHECK(run(TIMGroupGetGroupInfoList, &c, "[\"c-team\",\"none\"]") == 0, "info list %d", c.code);
    CHECK(has(c.json, "\"group_detail_info_member_num\":2"), "two members: %s", c.json);
    CHECK(has(c.json, "\"get_groups_info_result_code\":10010"), "none: %s", c.json);

    CHECK(run(TIMGroupModifyGroupInfo, &c,
              "{\"group_modify_info_param_group_id\":\"c-team\",\"group_modify_info_param_modify_flag\":1,"
              "\"group_modify_info_param_group_name\":\"C Team\"}") == 0,
          "rename: %d %s", c.code, c.desc);

    /* carol becomes an admin, then is muted by the owner. */
    CHECK(run(TIMGroupModifyMemberInfo, &c,
              "{\"group_modify_member_info_group_id\":\"c-team\",\"group_modify_member_info_identifier\":"
              "\"carol\",\"group_modify_member_info_modify_flag\":2,"
              "\"group_modify_member_info_member_role\":300}") == 0,
          "admin: %d %s", c.code, c.desc);
    CHECK(run(TIMGroupModifyMemberInfo, &c,
              "{\"group_modify_member_info_group_id\":\"c-team\",\"group_modify_member_info_identifier\":"
              "\"carol\",\"group_modify_member_info_modify_flag\":4,"
              "\"group_modify_member_info_shutup_time\":60}") == 0,
          "mute: %d %s", c.code, c.desc);
    CHECK(run(TIMGroupModifyMemberInfo, &c,
              "{\"group_modify_member_info_group_id\":\"c-team\",\"group_modify_member_info_identifier\":"
              "\"alice\",\"group_modify_member_info_modify_flag\":2,"
              "\"group_modify_member_info_member_role\":200}") == 10007,
          "the owner's role: %d", c.code);
    CHECK(run(TIMGroupGetMemberInfoList, &c,
              "{\"group_get_members_info_list_param_group_id\":\"c-team\","
              "\"group_get_members_info_list_param_option\":{\"group_member_get_info_option_role_flag\":2},"
              "\"group_get_members_info_list_param_next_seq\":0}") == 0,
          "admins: %d", c.code);
    CHECK(count_of(c.json, "\"group_member_info_identifier\"") == 1 &&
              has(c.json, "\"group_member_info_identifier\":\"carol\""),
          "carol alone: %s", c.json);
    CHECK(has(c.json, "\"group_member_info_member_role\":300"), "admin: %s", c.json);
    CHECK(!has(c.json, "\"group_member_info_shutup_time\":0"), "muted: %s", c.json);
    CHECK(has(c.json, "\"group_get_member_info_list_result_next_seq\":0"), "one page: %s", c.json);

    /* Asking to join bob's group: a request, answered by bob. */
    call_reset(&c);
    CHECK(TIMGroupJoin("bobs", "from c", on_done, &c) == TIM_SUCC, "join");
    CHECK(wait_call(&c) == 0, "join code %d %s", c.code, c.desc);
    call_reset(&c);
    CHECK(TIMGroupJoin("c-team", NULL, on_done, &c) == TIM_SUCC, "join own");
    CHECK(wait_call(&c) == 10013, "already a member: %d", c.code);
    char path[1024];
    snprintf(path, sizeof path, "%s/want-answer", dir);
    FILE *f = fopen(path, "w");
    CHECK(f != NULL, "create %s", path);
    if (f) fclose(f);
    CHECK(wait_count(&events, &bobs_tips, 1) == 1, "the invite tip of bob's group");

    /* The requests alice may answer: none; answering a missing one. */
    CHECK(run(TIMGroupGetPendencyList, &c,
              "{\"group_pendency_option_start_time\":0,\"group_pendency_option_max_limited\":0}") == 0,
          "pendencies: %d", c.code);
    CHECK(has(c.json, "\"group_pendency_result_pendency_array\":[]"), "none: %s", c.json);
    CHECK(has(c.json, "\"group_pendency_result_unread_num\":0"), "none unread: %s", c.json);
    call_reset(&c);
    CHECK(TIMGroupReportPendencyReaded((uint64_t)time(NULL), on_done, &c) == TIM_SUCC, "read");
    CHECK(wait_call(&c) == 0, "read code %d", c.code);
    CHECK(run(TIMGroupHandlePendency, &c,
              "{\"group_handle_pendency_param_is_accept\":true,\"group_handle_pendency_param_pendency\":"
              "{\"group_pendency_group_id\":\"c-team\",\"group_pendency_form_identifier\":\"dave\"}}") ==
              10004,
          "no such request: %d", c.code);
    call_reset(&c);
    CHECK(TIMGroupHandlePendency("{\"group_handle_pendency_param_is_accept\":true}", on_done, &c) ==
              TIM_ERR_PARAM,
          "no pendency object");

    /* The tips of c-team: created, renamed, admin, muted. */
    CHECK(wait_count(&events, &team_tips, 4) == 4, "four tips of c-team, got %d", team_tips);
    call_reset(&c);
    CHECK(TIMGroupDelete("c-team", on_done, &c) == TIM_SUCC, "delete");
    CHECK(wait_call(&c) == 0, "delete code %d %s", c.code, c.desc);
    CHECK(run(TIMGroupGetGroupInfoList, &c, "[\"c-team\"]") == 0, "info after %d", c.code);
    CHECK(has(c.json, "\"get_groups_info_result_code\":10010"), "gone: %s", c.json);

    CHECK(tag_ok, "every callback got its user_data and a JSON string");
    call_reset(&c);
    CHECK(TIMLogout(on_done, &c) == TIM_SUCC, "logout");
    wait_call(&c);
    CHECK(TIMUninit() == TIM_SUCC, "uninit");
    printf("groups: %d failures (%d tips)\n", failures, tips);
    return failures == 0 ? 0 : 1;
}
