// Types of index.js: Tencent's Web API (`@tencentcloud/chat`), as this SDK
// offers it. Names and parameter shapes follow Tencent's declarations (a
// CI test checks them against Tencent's own with `tsc --noEmit`); what goes
// beyond Tencent's Web SDK is marked "Beyond Tencent".

/** A value of `TYPES` (Tencent's enum holds strings and numbers). */
export type TypesValue = string | number;

export interface ChatResponse<T = any> {
  code: 0;
  data: T;
}

/** What every Promise rejects with. */
export interface ChatError {
  code: number;
  message: string;
}

export interface ChatEvent<T = any> {
  name: string;
  data: T;
}

export interface LOGIN_OPTIONS {
  userID: string;
  userSig: string;
}

export interface GET_MESSAGE_LIST_OPTIONS {
  conversationID: string;
  nextReqMessageID?: string;
}

export interface SET_MESSAGE_READ_OPTIONS {
  conversationID: string;
}

export interface GET_CONVERSATION_LIST_OPTIONS {
  type?: TypesValue;
  groupName?: string;
  markType?: number;
  hasUnreadCount?: boolean;
  hasGroupAtInfo?: boolean;
  /**
   * Beyond Tencent: one page of at most `count` (1 to 100) conversations.
   * The answer adds `nextSeq` (pass it back for the next page; 0 when
   * finished) and `isFinished`. Within one walk no conversation is missed
   * or repeated while the list changes; changed ones come last.
   */
  count?: number;
  /** Beyond Tencent: the `nextSeq` of the previous page (0 or absent: the first). */
  nextSeq?: number;
}

export interface DELETE_CONVERSATION_OPTIONS {
  conversationIDList: Array<string>;
  clearHistoryMessage?: boolean;
}

export interface SET_CONVERSATION_DRAFT_OPTIONS {
  conversationID: string;
  draftText: string;
}

export interface PIN_CONVERSATION_OPTIONS {
  conversationID: string;
  isPinned: boolean;
}

export interface SET_ALL_MESSAGE_READ_OPTIONS {
  scope: TypesValue;
}

export interface SET_CONVERSATION_CUSTOM_DATA_OPTIONS {
  conversationIDList: Array<string>;
  customData: string;
}

export interface MARK_CONVERSATION_OPTIONS {
  conversationIDList: Array<string>;
  markType: number;
  enableMark: boolean;
}

export interface CREATE_CONVERSATION_GROUP_OPTIONS {
  conversationIDList: Array<string>;
  groupName: string;
}

export interface RENAME_CONVERSATION_GROUP_OPTIONS {
  oldName: string;
  newName: string;
}

export interface ADD_CONVERSATIONS_TO_GROUP_OPTIONS {
  conversationIDList: Array<string>;
  groupName: string;
}

export interface DELETE_CONVERSATIONS_FROM_GROUP_OPTIONS {
  conversationIDList: Array<string>;
  groupName: string;
}

export interface MESSAGE_OPTIONS {
  to: string;
  conversationType: TypesValue;
  payload: any;
  priority?: TypesValue;
  cloudCustomData?: string;
  needReadReceipt?: boolean;
  receiverList?: Array<string>;
  isSupportExtension?: boolean;
  onProgress?: Function;
}

/** A failure item of the per-conversation calls. */
export interface ConversationFailure {
  conversationID: string;
  code: number;
  message: string;
}

export interface ConversationOperationResult {
  successConversationIDList: Array<string>;
  failureConversationIDList: Array<ConversationFailure>;
}

/** A message; the fields Tencent's declarations name are required. */
export interface Message {
  ID: string;
  type: TypesValue;
  payload: any;
  conversationID: string;
  conversationType: TypesValue;
  to: string;
  from: string;
  flow: string;
  time: number;
  status: string;
  isRevoked: boolean;
  priority: TypesValue;
  nick: string;
  avatar: string;
  isPeerRead: boolean;
  nameCard: string;
  atUserList: Array<string>;
  cloudCustomData: string;
  isDeleted: boolean;
  isModified: boolean;
  needReadReceipt: boolean;
  readReceiptInfo: any;
  isBroadcastMessage: boolean;
  isSupportExtension: boolean;
  revoker: string;
  revokerInfo: { userID: string; nick: string; avatar: string };
  revokeReason: string;
  sequence: number;
  hasRiskContent: boolean;
  clientSequence?: number;
  random?: number;
  isSystemMessage?: boolean;
  protocol?: string;
  isResend?: boolean;
  isRead?: boolean;
  version?: number;
}

export interface Conversation {
  conversationID: string;
  type: string;
  subType: string;
  unreadCount: number;
  lastMessage: any;
  peerReadTime: number;
  groupAtInfoList: Array<any>;
  remark: string;
  isPinned: boolean;
  messageRemindType: string;
  markList: Array<number>;
  customData: string;
  conversationGroupList: Array<string>;
  draftText: string;
  userProfile?: { userID: string; nick: string; avatar: string };
  groupProfile?: { groupID: string; name: string; avatar: string; type: string };
}

/** Beyond Tencent: options of searchLocalMessages. */
export interface SEARCH_LOCAL_MESSAGES_OPTIONS {
  keywordList?: Array<string>;
  keywordListMatchType?: 'or' | 'and';
  senderUserIDList?: Array<string>;
  messageTypeList?: Array<string>;
  conversationID?: string;
  timePosition?: number;
  timePeriod?: number;
  pageIndex?: number;
  count?: number;
}

/** Beyond Tencent: one match, in UTF-16 code units of the text. */
export interface MatchRange {
  key: string;
  start: number;
  end: number;
}

/** Beyond Tencent: what searchLocalMessages resolves with. */
export interface SearchLocalMessagesResult {
  totalCount: number;
  resultList: Array<{
    conversationID: string;
    messageCount: number;
    messageList: Array<Message>;
    matchRangeList: Array<Array<MatchRange>>;
  }>;
}

export declare class ChatSDK {
  login(options: LOGIN_OPTIONS): Promise<any>;
  logout(): Promise<any>;
  getLoginUser(): string;
  isReady(): boolean;
  destroy(): Promise<void>;
  on(eventName: string, handler: Function, context?: any): void;
  off(eventName: string, handler: Function, context?: any): void;
  registerPlugin(options: Object): void;
  setLogLevel(level: number): void;
  /**
   * Beyond Tencent: 'opfs' (the data persists) or 'memory'. The event
   * 'storage' ({persistent, reason?}) says when it changes: a tab opened
   * while another tab of the app owns the store runs on memory, and is
   * handed the store (logged in again) when that tab closes.
   */
  getStorageType(): 'opfs' | 'memory' | null;

  createTextMessage(options: MESSAGE_OPTIONS): Message;
  createTextAtMessage(options: MESSAGE_OPTIONS): Message;
  createCustomMessage(options: MESSAGE_OPTIONS): Message;
  /** payload.file: a File, a Blob or an <input type=file>; onProgress(percent) hears the upload. */
  createFileMessage(options: MESSAGE_OPTIONS): Message;
  createImageMessage(options: MESSAGE_OPTIONS): Message;
  sendMessage(message: Message, options?: any): Promise<any>;
  revokeMessage(message: Message): Promise<any>;
  deleteMessage(messageList: Array<Message>): Promise<any>;
  getMessageList(options: GET_MESSAGE_LIST_OPTIONS): Promise<any>;
  setMessageRead(options: SET_MESSAGE_READ_OPTIONS): Promise<any>;
  findMessage(messageID: string): Message | null;

  getConversationList(options?: Array<string> | GET_CONVERSATION_LIST_OPTIONS): Promise<any>;
  getConversationProfile(conversationID: string): Promise<any>;
  deleteConversation(options: string | DELETE_CONVERSATION_OPTIONS): Promise<any>;
  setConversationDraft(options: SET_CONVERSATION_DRAFT_OPTIONS): Promise<any>;
  clearHistoryMessage(conversationID: string): Promise<any>;
  pinConversation(options: PIN_CONVERSATION_OPTIONS): Promise<any>;
  setAllMessageRead(options?: SET_ALL_MESSAGE_READ_OPTIONS): Promise<any>;
  getTotalUnreadMessageCount(): number;
  setConversationCustomData(options: SET_CONVERSATION_CUSTOM_DATA_OPTIONS): Promise<any>;
  markConversation(options: MARK_CONVERSATION_OPTIONS): Promise<any>;

  getConversationGroupList(): Promise<any>;
  createConversationGroup(options: CREATE_CONVERSATION_GROUP_OPTIONS): Promise<any>;
  deleteConversationGroup(groupName: string): Promise<any>;
  renameConversationGroup(options: RENAME_CONVERSATION_GROUP_OPTIONS): Promise<any>;
  addConversationsToGroup(options: ADD_CONVERSATIONS_TO_GROUP_OPTIONS): Promise<any>;
  deleteConversationsFromGroup(options: DELETE_CONVERSATIONS_FROM_GROUP_OPTIONS): Promise<any>;

  /**
   * Beyond Tencent (the native SDK's TIMMsgImportMsgList): stores up to 1000
   * messages in a conversation as history, with no unread count and no event.
   * Resolves with the stored messages' IDs in the order given (made for
   * those without an `ID`); `getMessageList` shows them.
   */
  importMessages(options: {
    conversationID: string;
    messageList: Array<{ type: TypesValue; payload: any; from?: string; time?: number; ID?: string; cloudCustomData?: string }>;
  }): Promise<ChatResponse<{ messageIDList: Array<string> }>>;

  /** Beyond Tencent: searches the messages stored on this device. */
  searchLocalMessages(options: SEARCH_LOCAL_MESSAGES_OPTIONS): Promise<ChatResponse<SearchLocalMessagesResult>>;
}

export interface CreateOptions {
  SDKAppID: number;
  /** Beyond Tencent: the IM server's base URL (default: the page's origin). */
  server?: string;
  /** Beyond Tencent: false keeps nothing on the device. */
  persist?: boolean;
  /** Beyond Tencent: where worker.js is served, if not beside index.js. */
  workerURL?: string | URL;
}

export declare const EVENT: {
  readonly SDK_READY: 'sdkStateReady';
  readonly SDK_NOT_READY: 'sdkStateNotReady';
  readonly SDK_DESTROY: 'sdkDestroy';
  readonly MESSAGE_RECEIVED: 'onMessageReceived';
  readonly MESSAGE_MODIFIED: 'onMessageModified';
  readonly MESSAGE_REVOKED: 'onMessageRevoked';
  readonly MESSAGE_READ_BY_PEER: 'onMessageReadByPeer';
  readonly MESSAGE_READ_RECEIPT_RECEIVED: 'onMessageReadReceiptReceived';
  readonly CONVERSATION_LIST_UPDATED: 'onConversationListUpdated';
  readonly TOTAL_UNREAD_MESSAGE_COUNT_UPDATED: 'onTotalUnreadMessageCountUpdated';
  readonly CONVERSATION_GROUP_LIST_UPDATED: 'onConversationGroupListUpdated';
  readonly CONVERSATION_IN_GROUP_UPDATED: 'onConversationInGroupUpdated';
  readonly GROUP_LIST_UPDATED: 'onGroupListUpdated';
  readonly PROFILE_UPDATED: 'onProfileUpdated';
  readonly KICKED_OUT: 'kickedOut';
  readonly ERROR: 'error';
  readonly NET_STATE_CHANGE: 'netStateChange';
};

export declare const TYPES: { readonly [name: string]: string | number };

export declare const TencentCloudChat: {
  EVENT: typeof EVENT;
  TYPES: typeof TYPES;
  VERSION: string;
  create(options: CreateOptions): ChatSDK;
};

export { TencentCloudChat as TIM };
export default TencentCloudChat;
