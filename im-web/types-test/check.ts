// Our declarations (../js/index.d.ts) against Tencent's (@tencentcloud/chat):
// for every method the browser SDK offers, whatever an app passes to
// Tencent's may be passed to ours (same name, parameter shapes at least as
// wide), and what Tencent's returns synchronously ours returns too.

import type { ChatSDK as Tencent } from '@tencentcloud/chat';
import TencentCloudChatDefault, { TIM, type ChatSDK as Ours } from '../js/index.js';
import TencentDefault from '@tencentcloud/chat';

type Methods =
  | 'login'
  | 'logout'
  | 'destroy'
  | 'isReady'
  | 'getLoginUser'
  | 'on'
  | 'off'
  | 'setLogLevel'
  | 'registerPlugin'
  | 'getConversationList'
  | 'getConversationProfile'
  | 'deleteConversation'
  | 'pinConversation'
  | 'markConversation'
  | 'setConversationDraft'
  | 'setConversationCustomData'
  | 'clearHistoryMessage'
  | 'getTotalUnreadMessageCount'
  | 'setMessageRead'
  | 'setAllMessageRead'
  | 'getConversationGroupList'
  | 'createConversationGroup'
  | 'deleteConversationGroup'
  | 'renameConversationGroup'
  | 'addConversationsToGroup'
  | 'deleteConversationsFromGroup'
  | 'createTextMessage'
  | 'createTextAtMessage'
  | 'createCustomMessage'
  | 'createFileMessage'
  | 'createImageMessage'
  | 'sendMessage'
  | 'getMessageList'
  | 'revokeMessage'
  | 'deleteMessage'
  | 'findMessage';

/** Tencent's parameters fit ours. */
type Accepts<M extends Methods> = Parameters<Tencent[M]> extends Parameters<Ours[M]> ? true : false;
/** A Promise where Tencent's returns one, a plain value where it does not. */
type SameKind<M extends Methods> =
  ReturnType<Tencent[M]> extends Promise<any>
    ? ReturnType<Ours[M]> extends Promise<any> ? true : false
    : ReturnType<Ours[M]> extends Promise<any> ? false : true;

const accepts: { [M in Methods]: Accepts<M> } = {
  login: true,
  logout: true,
  destroy: true,
  isReady: true,
  getLoginUser: true,
  on: true,
  off: true,
  setLogLevel: true,
  registerPlugin: true,
  getConversationList: true,
  getConversationProfile: true,
  deleteConversation: true,
  pinConversation: true,
  markConversation: true,
  setConversationDraft: true,
  setConversationCustomData: true,
  clearHistoryMessage: true,
  getTotalUnreadMessageCount: true,
  setMessageRead: true,
  setAllMessageRead: true,
  getConversationGroupList: true,
  createConversationGroup: true,
  deleteConversationGroup: true,
  renameConversationGroup: true,
  addConversationsToGroup: true,
  deleteConversationsFromGroup: true,
  createTextMessage: true,
  createTextAtMessage: true,
  createCustomMessage: true,
  createFileMessage: true,
  createImageMessage: true,
  sendMessage: true,
  getMessageList: true,
  revokeMessage: true,
  deleteMessage: true,
  findMessage: true,
};

const kinds: { [M in Methods]: SameKind<M> } = { ...accepts };

// The entry point: create(), EVENT and TYPES with Tencent's values.
const ours: Ours = TencentCloudChatDefault.create({ SDKAppID: 1400000000 });
const same: typeof TIM = TencentCloudChatDefault;
const ready: 'sdkStateReady' = TencentCloudChatDefault.EVENT.SDK_READY;
const tencentReady: `${typeof TencentDefault.EVENT.SDK_READY}` = ready;
const groups: `${typeof TencentDefault.EVENT.CONVERSATION_GROUP_LIST_UPDATED}` =
  TencentCloudChatDefault.EVENT.CONVERSATION_GROUP_LIST_UPDATED;
const inGroup: `${typeof TencentDefault.EVENT.CONVERSATION_IN_GROUP_UPDATED}` =
  TencentCloudChatDefault.EVENT.CONVERSATION_IN_GROUP_UPDATED;
const list: `${typeof TencentDefault.EVENT.CONVERSATION_LIST_UPDATED}` =
  TencentCloudChatDefault.EVENT.CONVERSATION_LIST_UPDATED;

export { accepts, kinds, ours, same, tencentReady, groups, inGroup, list };
