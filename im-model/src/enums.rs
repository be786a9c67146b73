//! Every enum of the Tencent C API (spec section 2) with its exact number.
//!
//! The JSON form of each enum is its number. `TIMResult` lives in
//! [`crate::error`] and the conversation mark bits in [`crate::mark`],
//! because both are more than a plain enumeration.

tim_enum! {
    /// Kind of conversation (`TIMConvType`).
    pub enum ConvType: u32 {
        /// Not a conversation; as a filter value it means "any type".
        Invalid = 0 => "kTIMConv_Invalid",
        /// One-to-one chat.
        C2C = 1 => "kTIMConv_C2C",
        /// Group chat.
        Group = 2 => "kTIMConv_Group",
        /// System messages (group reports); deprecated as a conversation.
        System = 3 => "kTIMConv_System",
    }
}

tim_enum! {
    /// Kind of conversation event (`TIMConvEvent`).
    pub enum ConvEventKind: u32 {
        /// A conversation was created.
        Add = 0 => "kTIMConvEvent_Add",
        /// A conversation was deleted.
        Del = 1 => "kTIMConvEvent_Del",
        /// A conversation changed.
        Update = 2 => "kTIMConvEvent_Update",
        /// Server synchronisation started.
        Start = 3 => "kTIMConvEvent_Start",
        /// Server synchronisation finished.
        Finish = 4 => "kTIMConvEvent_Finish",
    }
}

tim_enum! {
    /// How a group message mentions the current user (`TIMGroupAtType`).
    pub enum GroupAtType: u32 {
        /// The message mentions me.
        AtMe = 1 => "kTIMGroup_At_Me",
        /// The message mentions everyone.
        AtAll = 2 => "kTIMGroup_At_All",
        /// The message mentions everyone and me.
        AtAllAtMe = 3 => "kTIMGroup_At_All_At_ME",
    }
}

tim_enum! {
    /// Message receive option of a conversation (`TIMReceiveMessageOpt`).
    pub enum ReceiveMessageOpt: u32 {
        /// Receive online and get offline pushes.
        Receive = 0 => "kTIMRecvMsgOpt_Receive",
        /// Receive nothing.
        NotReceive = 1 => "kTIMRecvMsgOpt_Not_Receive",
        /// Receive online, no offline push.
        NotNotify = 2 => "kTIMRecvMsgOpt_Not_Notify",
        /// Receive online, offline push only for mentions.
        NotNotifyExceptAt = 3 => "kTIMRecvMsgOpt_Not_Notify_Except_At",
        /// Receive only mentions, online and offline (8.x).
        NotReceiveExceptAt = 4 => "kTIMRecvMsgOpt_Not_Receive_Except_At",
    }
}

impl ReceiveMessageOpt {
    /// Whether a conversation with this option counts toward total unread.
    ///
    /// Tencent excludes "do not disturb" conversations from every total
    /// (spec 4.3). The 8.x option 4 is excluded too: it is a stricter form of
    /// option 3, which the newer headers list as excluded.
    pub const fn counts_toward_total_unread(self) -> bool {
        matches!(self, ReceiveMessageOpt::Receive)
    }
}

tim_enum! {
    /// Kind of message element (`TIMElemType`).
    pub enum ElemType: i32 {
        /// Not an element.
        Invalid = -1 => "kTIMElem_Invalid",
        /// Text.
        Text = 0 => "kTIMElem_Text",
        /// Image.
        Image = 1 => "kTIMElem_Image",
        /// Voice clip.
        Sound = 2 => "kTIMElem_Sound",
        /// App-defined payload.
        Custom = 3 => "kTIMElem_Custom",
        /// File.
        File = 4 => "kTIMElem_File",
        /// Group tips (system notice inside a group).
        GroupTips = 5 => "kTIMElem_GroupTips",
        /// Emoticon.
        Face = 6 => "kTIMElem_Face",
        /// Location.
        Location = 7 => "kTIMElem_Location",
        /// Group system report.
        GroupReport = 8 => "kTIMElem_GroupReport",
        /// Video.
        Video = 9 => "kTIMElem_Video",
        /// Friendship change notice.
        FriendChange = 10 => "kTIMElem_FriendChange",
        /// Profile change notice.
        ProfileChange = 11 => "kTIMElem_ProfileChange",
        /// Merged (forwarded bundle of) messages.
        Merge = 12 => "kTIMElem_Merge",
    }
}

tim_enum! {
    /// Status of a message (`TIMMsgStatus`).
    pub enum MsgStatus: u32 {
        /// Being sent.
        Sending = 1 => "kTIMMsg_Sending",
        /// Sent (or received) successfully.
        SendSucc = 2 => "kTIMMsg_SendSucc",
        /// Sending failed; can be retried.
        SendFail = 3 => "kTIMMsg_SendFail",
        /// Deleted.
        Deleted = 4 => "kTIMMsg_Deleted",
        /// Imported locally.
        LocalImported = 5 => "kTIMMsg_LocalImported",
        /// Revoked.
        Revoked = 6 => "kTIMMsg_Revoked",
        /// Sending was cancelled.
        Cancel = 7 => "kTIMMsg_Cancel",
    }
}

tim_enum! {
    /// Message priority (`TIMMsgPriority`); a larger number is a lower priority.
    pub enum MsgPriority: u32 {
        /// High.
        High = 0 => "kTIMMsgPriority_High",
        /// Normal.
        Normal = 1 => "kTIMMsgPriority_Normal",
        /// Low.
        Low = 2 => "kTIMMsgPriority_Low",
        /// Lowest.
        Lowest = 3 => "kTIMMsgPriority_Lowest",
    }
}

tim_enum! {
    /// Platform a message was sent from (`TIMPlatform`).
    pub enum Platform: u32 {
        /// Other.
        Other = 0 => "kTIMPlatform_Other",
        /// Windows.
        Windows = 1 => "kTIMPlatform_Windows",
        /// Android.
        Android = 2 => "kTIMPlatform_Android",
        /// iOS.
        Ios = 3 => "kTIMPlatform_IOS",
        /// macOS.
        Mac = 4 => "kTIMPlatform_Mac",
        /// iOS simulator.
        Simulator = 5 => "kTIMPlatform_Simulator",
    }
}

tim_enum! {
    /// Image upload quality (`TIMImageLevel`).
    pub enum ImageLevel: u32 {
        /// Original image.
        Orig = 0 => "kTIMImageLevel_Orig",
        /// Compressed (default).
        Compression = 1 => "kTIMImageLevel_Compression",
        /// High definition.
        Hd = 2 => "kTIMImageLevel_HD",
    }
}

tim_enum! {
    /// What a download request fetches (`TIMDownloadType`).
    pub enum DownloadType: u32 {
        /// Video thumbnail.
        VideoThumb = 0 => "kTIMDownload_VideoThumb",
        /// File.
        File = 1 => "kTIMDownload_File",
        /// Video.
        Video = 2 => "kTIMDownload_Video",
        /// Voice clip.
        Sound = 3 => "kTIMDownload_Sound",
    }
}

tim_enum! {
    /// How several search keywords combine (`TIMKeywordListMatchType`).
    pub enum KeywordMatchType: u32 {
        /// Any keyword matches (default).
        Or = 0 => "TIMKeywordListMatchType_Or",
        /// Every keyword must match.
        And = 1 => "TIMKeywordListMatchType_And",
    }
}

tim_enum! {
    /// Which group members a read-member query lists.
    pub enum GroupMessageReadMembersFilter: u32 {
        /// Members who read the message.
        Read = 0 => "TIM_GROUP_MESSAGE_READ_MEMBERS_FILTER_READ",
        /// Members who did not.
        Unread = 1 => "TIM_GROUP_MESSAGE_READ_MEMBERS_FILTER_UNREAD",
    }
}

tim_enum! {
    /// Kind of group system report (`group_report_elem_report_type`).
    pub enum GroupReportType: u32 {
        /// None.
        None = 0 => "kTIMGroupReport_None",
        /// Join request.
        AddRequest = 1 => "kTIMGroupReport_AddRequest",
        /// Join accepted.
        AddAccept = 2 => "kTIMGroupReport_AddAccept",
        /// Join refused.
        AddRefuse = 3 => "kTIMGroupReport_AddRefuse",
        /// Kicked.
        BeKicked = 4 => "kTIMGroupReport_BeKicked",
        /// Group deleted.
        Delete = 5 => "kTIMGroupReport_Delete",
        /// Group created.
        Create = 6 => "kTIMGroupReport_Create",
        /// Invited.
        Invite = 7 => "kTIMGroupReport_Invite",
        /// Quit.
        Quit = 8 => "kTIMGroupReport_Quit",
        /// Made admin.
        GrantAdmin = 9 => "kTIMGroupReport_GrantAdmin",
        /// Admin revoked.
        CancelAdmin = 10 => "kTIMGroupReport_CancelAdmin",
        /// Group recycled.
        GroupRecycle = 11 => "kTIMGroupReport_GroupRecycle",
        /// Invitation request to the invitee.
        InviteReqToInvitee = 12 => "kTIMGroupReport_InviteReqToInvitee",
        /// Invitation accepted.
        InviteAccept = 13 => "kTIMGroupReport_InviteAccept",
        /// Invitation refused.
        InviteRefuse = 14 => "kTIMGroupReport_InviteRefuse",
        /// Read report.
        ReadReport = 15 => "kTIMGroupReport_ReadReport",
        /// App-defined.
        UserDefine = 16 => "kTIMGroupReport_UserDefine",
        /// Member muted.
        ShutUpMember = 17 => "kTIMGroupReport_ShutUpMember",
        /// Topic created.
        TopicCreate = 18 => "kTIMGroupReport_TopicCreate",
        /// Topic deleted.
        TopicDelete = 19 => "kTIMGroupReport_TopicDelete",
        /// Group message read.
        GroupMessageRead = 20 => "kTIMGroupReport_GroupMessageRead",
        /// Group receive option changed.
        GroupMessageRecvOption = 21 => "kTIMGroupReport_GroupMessageRecvOption",
        /// Banned from group.
        BannedFromGroup = 22 => "kTIMGroupReport_BannedFromGroup",
        /// Unbanned.
        UnbannedFromGroup = 23 => "kTIMGroupReport_UnbannedFromGroup",
        /// Invitation request to the admin.
        InviteReqToAdmin = 24 => "kTIMGroupReport_InviteReqToAdmin",
    }
}

tim_enum! {
    /// Kind of group tip (`group_tips_elem_tip_type`).
    pub enum GroupTipType: u32 {
        /// None.
        None = 0 => "kTIMGroupTip_None",
        /// Member invited.
        Invite = 1 => "kTIMGroupTip_Invite",
        /// Member quit.
        Quit = 2 => "kTIMGroupTip_Quit",
        /// Member kicked.
        Kick = 3 => "kTIMGroupTip_Kick",
        /// Admin set.
        SetAdmin = 4 => "kTIMGroupTip_SetAdmin",
        /// Admin cancelled.
        CancelAdmin = 5 => "kTIMGroupTip_CancelAdmin",
        /// Group info changed.
        GroupInfoChange = 6 => "kTIMGroupTip_GroupInfoChange",
        /// Member info changed.
        MemberInfoChange = 7 => "kTIMGroupTip_MemberInfoChange",
        /// Member mark changed.
        MemberMarkChange = 8 => "kTIMGroupTip_MemberMarkChange",
        /// Topic info changed.
        TopicInfoChange = 9 => "kTIMGroupTip_TopicInfoChange",
        /// A message was pinned (the capital K is Tencent's spelling).
        PinnedMessageAdded = 10 => "KTIMGroupTip_PinnedMessageAdded",
        /// A message was unpinned.
        PinnedMessageDeleted = 11 => "KTIMGroupTip_PinnedMessageDeleted",
    }
}

tim_enum! {
    /// Which group attribute a group-info tip changed.
    pub enum GroupTipGroupChangeFlag: u32 {
        /// Not set (Tencent's `_Unknown` value; the name `Unknown` is this
        /// crate's for numbers it does not know).
        Unspecified = 0x0 => "kTIMGroupTipChangeFlag_Unknown",
        /// Name.
        Name = 0x1 => "kTIMGroupTipChangeFlag_Name",
        /// Introduction.
        Introduction = 0x2 => "kTIMGroupTipChangeFlag_Introduction",
        /// Notification.
        Notification = 0x3 => "kTIMGroupTipChangeFlag_Notification",
        /// Avatar.
        FaceUrl = 0x4 => "kTIMGroupTipChangeFlag_FaceUrl",
        /// Owner.
        Owner = 0x5 => "kTIMGroupTipChangeFlag_Owner",
        /// Custom field.
        Custom = 0x6 => "kTIMGroupTipChangeFlag_Custom",
        /// Attribute.
        Attribute = 0x7 => "kTIMGroupTipChangeFlag_Attribute",
        /// Mute all.
        ShutupAll = 0x8 => "kTIMGroupTipChangeFlag_ShutupAll",
        /// Topic custom data.
        TopicCustomData = 0x9 => "kTIMGroupTipChangeFlag_TopicCustomData",
        /// Receive option.
        MessageReceiveOpt = 0xA => "kTIMGroupTipChangeFlag_MessageReceiveOpt",
        /// Join option.
        GroupAddOpt = 0xB => "kTIMGroupTipChangeFlag_GroupAddOpt",
        /// Approval option.
        GroupApproveOpt = 0xC => "kTIMGroupTipChangeFlag_GroupApproveOpt",
        /// Permission groups enabled (7.8+).
        EnablePermissionGroup = 0xD => "kTIMGroupTipChangeFlag_EnablePermissionGroup",
        /// Default permissions (7.8+).
        DefaultPermissions = 0xE => "kTIMGroupTipChangeFlag_DefaultPermissions",
        /// Topic join option (8.x).
        TopicAddOpt = 0xF => "kTIMGroupTipChangeFlag_TopicAddOpt",
        /// Topic approval option (8.x).
        TopicApproveOpt = 0x10 => "kTIMGroupTipChangeFlag_TopicApproveOpt",
        /// Topic member limit (8.x).
        TopicMemberMaxCount = 0x11 => "kTIMGroupTipChangeFlag_TopicMemberMaxCount",
    }
}

tim_enum! {
    /// Kind of group (`conv_group_type`).
    pub enum GroupType: u32 {
        /// Public group.
        Public = 0 => "kTIMGroup_Public",
        /// Private ("Work") group.
        Private = 1 => "kTIMGroup_Private",
        /// Chat room ("Meeting").
        ChatRoom = 2 => "kTIMGroup_ChatRoom",
        /// Broadcast chat room.
        BChatRoom = 3 => "kTIMGroup_BChatRoom",
        /// Audio-video chat room.
        AvChatRoom = 4 => "kTIMGroup_AVChatRoom",
        /// Community.
        Community = 5 => "kTIMGroup_Community",
    }
}

tim_enum! {
    /// Role of a group member.
    pub enum GroupMemberRole: u32 {
        /// No role.
        None = 0 => "kTIMMemberRole_None",
        /// Ordinary member.
        Normal = 200 => "kTIMMemberRole_Normal",
        /// Administrator.
        Admin = 300 => "kTIMMemberRole_Admin",
        /// Owner.
        Owner = 400 => "kTIMMemberRole_Owner",
    }
}

tim_enum! {
    /// Network connection state.
    pub enum NetworkStatus: u32 {
        /// Connected.
        Connected = 0 => "kTIMConnected",
        /// Disconnected.
        Disconnected = 1 => "kTIMDisconnected",
        /// Connecting.
        Connecting = 2 => "kTIMConnecting",
        /// Connection failed.
        ConnectFailed = 3 => "kTIMConnectFailed",
    }
}

tim_enum! {
    /// Login state.
    pub enum LoginStatus: u32 {
        /// Logged in.
        Logined = 1 => "kTIMLoginStatus_Logined",
        /// Logging in.
        Logining = 2 => "kTIMLoginStatus_Logining",
        /// Not logged in.
        UnLogined = 3 => "kTIMLoginStatus_UnLogined",
        /// Logging out.
        Logouting = 4 => "kTIMLoginStatus_Logouting",
    }
}

tim_enum! {
    /// Log level.
    pub enum LogLevel: u32 {
        /// Off.
        Off = 0 => "kTIMLog_Off",
        /// Test.
        Test = 1 => "kTIMLog_Test",
        /// Verbose.
        Verbose = 2 => "kTIMLog_Verbose",
        /// Debug.
        Debug = 3 => "kTIMLog_Debug",
        /// Info.
        Info = 4 => "kTIMLog_Info",
        /// Warning.
        Warn = 5 => "kTIMLog_Warn",
        /// Error.
        Error = 6 => "kTIMLog_Error",
        /// Assertion.
        Assert = 7 => "kTIMLog_Assert",
    }
}

tim_enum! {
    /// Presence of a user.
    pub enum UserStatusType: u32 {
        /// Not set (Tencent spells it "Unkown").
        Unspecified = 0 => "kTIMUserStatusType_Unkown",
        /// Online.
        Online = 1 => "kTIMUserStatusType_Online",
        /// Offline.
        Offline = 2 => "kTIMUserStatusType_Offline",
        /// Never logged in.
        UnLogined = 3 => "kTIMUserStatusType_UnLogined",
    }
}

tim_enum! {
    /// Gender in a user profile.
    pub enum GenderType: u32 {
        /// Not set (Tencent's `_Unknown` value; the name `Unknown` is this
        /// crate's for numbers it does not know).
        Unspecified = 0 => "kTIMGenderType_Unknown",
        /// Male.
        Male = 1 => "kTIMGenderType_Male",
        /// Female.
        Female = 2 => "kTIMGenderType_Female",
    }
}

tim_enum! {
    /// Who may add a user as a friend.
    pub enum ProfileAddPermission: u32 {
        /// Not set (Tencent's `_Unknown` value; the name `Unknown` is this
        /// crate's for numbers it does not know).
        Unspecified = 0 => "kTIMProfileAddPermission_Unknown",
        /// Anyone.
        AllowAny = 1 => "kTIMProfileAddPermission_AllowAny",
        /// Needs confirmation.
        NeedConfirm = 2 => "kTIMProfileAddPermission_NeedConfirm",
        /// Nobody.
        DenyAny = 3 => "kTIMProfileAddPermission_DenyAny",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_enum_numbers_match_the_spec() {
        assert_eq!(ConvType::Group.value(), 2);
        assert_eq!(ElemType::Invalid.value(), -1);
        assert_eq!(ElemType::Merge.value(), 12);
        assert_eq!(MsgStatus::Cancel.value(), 7);
        assert_eq!(ReceiveMessageOpt::NotReceiveExceptAt.value(), 4);
        assert_eq!(GroupMemberRole::Owner.value(), 400);
        assert_eq!(GroupTipGroupChangeFlag::TopicMemberMaxCount.value(), 0x11);
        assert_eq!(GroupReportType::InviteReqToAdmin.value(), 24);
        assert_eq!(LogLevel::Assert.value(), 7);
    }

    #[test]
    fn test_enum_json_is_the_number_and_unknown_numbers_are_kept() {
        assert_eq!(serde_json::to_string(&ElemType::Video).unwrap(), "9");
        assert_eq!(
            serde_json::from_str::<ElemType>("-1").unwrap(),
            ElemType::Invalid
        );
        let newer = serde_json::from_str::<ConvType>("9").unwrap();
        assert_eq!(newer, ConvType::Unknown(9));
        assert!(!newer.is_known());
        assert_eq!(serde_json::to_string(&newer).unwrap(), "9");
        let err = serde_json::from_str::<ConvType>("-1").unwrap_err();
        assert!(
            err.to_string()
                .contains("ConvType value -1 is out of range"),
            "{err}"
        );
        let err = serde_json::from_str::<ConvType>("\"1\"").unwrap_err();
        assert!(err.to_string().contains("invalid type"), "{err}");
    }

    #[test]
    fn test_every_value_round_trips_through_from_value() {
        for v in ElemType::ALL {
            assert_eq!(ElemType::from_value(i64::from(v.value())), Some(*v));
        }
        for v in ReceiveMessageOpt::ALL {
            assert_eq!(
                ReceiveMessageOpt::from_value(i64::from(v.value())),
                Some(*v)
            );
        }
    }
}
