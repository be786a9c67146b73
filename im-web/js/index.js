// TencentCloudChat: Tencent's Web API (the `@tencentcloud/chat` module's
// names, events, string values and codes) over the SDK engine, which runs
// in a dedicated worker (worker.js) with a persistent store.
//
// Every method returns a Promise that resolves `{code: 0, data}` and
// rejects `{code, message}`, as Tencent's does. Where Tencent's module
// answers synchronously (getTotalUnreadMessageCount, findMessage, isReady,
// getLoginUser, the create*Message factories) this module answers from a
// mirror that the worker's events and answers keep current. Where
// Tencent's throws on a bad argument, the Promise rejects with the code
// instead.
//
// Beyond Tencent's Web SDK: a persistent local store (OPFS), and
// searchLocalMessages.

export const EVENT = Object.freeze({
  SDK_READY: 'sdkStateReady',
  SDK_NOT_READY: 'sdkStateNotReady',
  SDK_DESTROY: 'sdkDestroy',
  MESSAGE_RECEIVED: 'onMessageReceived',
  MESSAGE_MODIFIED: 'onMessageModified',
  MESSAGE_REVOKED: 'onMessageRevoked',
  MESSAGE_READ_BY_PEER: 'onMessageReadByPeer',
  MESSAGE_READ_RECEIPT_RECEIVED: 'onMessageReadReceiptReceived',
  CONVERSATION_LIST_UPDATED: 'onConversationListUpdated',
  TOTAL_UNREAD_MESSAGE_COUNT_UPDATED: 'onTotalUnreadMessageCountUpdated',
  CONVERSATION_GROUP_LIST_UPDATED: 'onConversationGroupListUpdated',
  CONVERSATION_IN_GROUP_UPDATED: 'onConversationInGroupUpdated',
  GROUP_LIST_UPDATED: 'onGroupListUpdated',
  PROFILE_UPDATED: 'onProfileUpdated',
  KICKED_OUT: 'kickedOut',
  ERROR: 'error',
  NET_STATE_CHANGE: 'netStateChange',
});

export const TYPES = Object.freeze({
  MSG_TEXT: 'TIMTextElem',
  MSG_IMAGE: 'TIMImageElem',
  MSG_SOUND: 'TIMSoundElem',
  MSG_AUDIO: 'TIMSoundElem',
  MSG_FILE: 'TIMFileElem',
  MSG_FACE: 'TIMFaceElem',
  MSG_VIDEO: 'TIMVideoFileElem',
  MSG_GEO: 'TIMLocationElem',
  MSG_LOCATION: 'TIMLocationElem',
  MSG_GRP_TIP: 'TIMGroupTipElem',
  MSG_CUSTOM: 'TIMCustomElem',
  MSG_MERGER: 'TIMRelayElem',
  MSG_PRIORITY_HIGH: 'High',
  MSG_PRIORITY_NORMAL: 'Normal',
  MSG_PRIORITY_LOW: 'Low',
  MSG_PRIORITY_LOWEST: 'Lowest',
  CONV_C2C: 'C2C',
  CONV_GROUP: 'GROUP',
  CONV_SYSTEM: '@TIM#SYSTEM',
  CONV_AT_ME: 1,
  CONV_AT_ALL: 2,
  CONV_AT_ALL_AT_ME: 3,
  CONV_MARK_TYPE_STAR: 1,
  CONV_MARK_TYPE_UNREAD: 2,
  CONV_MARK_TYPE_FOLD: 4,
  CONV_MARK_TYPE_HIDE: 8,
  GRP_PRIVATE: 'Private',
  GRP_WORK: 'Private',
  GRP_PUBLIC: 'Public',
  GRP_CHATROOM: 'ChatRoom',
  GRP_MEETING: 'ChatRoom',
  GRP_AVCHATROOM: 'AVChatRoom',
  GRP_COMMUNITY: 'Community',
  MSG_REMIND_ACPT_AND_NOTE: 'AcceptAndNotify',
  MSG_REMIND_ACPT_NOT_NOTE: 'AcceptNotNotify',
  MSG_REMIND_DISCARD: 'Discard',
  KICKED_OUT_MULT_ACCOUNT: 'multipleAccount',
  KICKED_OUT_MULT_DEVICE: 'multipleDevice',
  KICKED_OUT_USERSIG_EXPIRED: 'userSigExpired',
  KICKED_OUT_REST_API: 'REST_API_Kick',
  NET_STATE_CONNECTED: 'connected',
  NET_STATE_CONNECTING: 'connecting',
  NET_STATE_DISCONNECTED: 'disconnected',
  MSG_AT_ALL: '__kImSDK_MesssageAtALL__',
  READ_ALL_C2C_MSG: 'readAllC2CMessage',
  READ_ALL_GROUP_MSG: 'readAllGroupMessage',
  READ_ALL_MSG: 'readAllMessage',
});

/** The Web SDK's own codes used by this module. */
const CODE = Object.freeze({
  NO_SDKAPPID: 2000,
  MSG_INSTANCE_REQUIRED: 2105,
  INVALID_OPERATION: 2905,
  SDK_IS_NOT_READY: 2999,
  OPTIONS_IS_EMPTY: 3153,
});

/** How many messages the mirror keeps for findMessage. */
const MIRRORED_MESSAGES = 5000;

const instances = new Map();

/** A file message's File or Blob, its key and its onProgress, by message. */
const messageFiles = new WeakMap();

/** The File or Blob of `payload.file`: itself, or an <input type=file>'s first. */
function fileOf(file) {
  if (typeof Blob !== 'undefined' && file instanceof Blob) return file;
  if (file && file.files && file.files.length > 0) return file.files[0];
  return null;
}

function randomKey() {
  const a = new Uint32Array(4);
  globalThis.crypto.getRandomValues(a);
  return Array.from(a, (n) => n.toString(16).padStart(8, '0')).join('');
}

function reject(code, message) {
  return Promise.reject({ code, message });
}

function randomU32() {
  const a = new Uint32Array(1);
  globalThis.crypto.getRandomValues(a);
  return a[0];
}

class ChatSDK {
  constructor(options) {
    this._appID = options.SDKAppID;
    this._handlers = new Map();
    this._pending = new Map();
    this._nextCall = 1;
    this._user = '';
    this._ready = false;
    this._unread = 0;
    this._conversations = [];
    this._messages = new Map();
    this._uploads = new Map();
    this._storage = null;
    // After a hand-over (worker.js), the messages this page was told of
    // before it: the new engine's first sync brings them again.
    this._announcedBeforeHandOver = null;
    const workerURL = options.workerURL || new URL('./worker.js', import.meta.url);
    this._worker = new Worker(workerURL, { type: 'module' });
    this._worker.onmessage = (e) => this._receive(e.data);
    this._worker.onerror = (e) => {
      this._emit(EVENT.ERROR, { code: 6022, message: `the SDK worker failed: ${e.message || e}` });
    };
    this._started = this._post('__start', {
      SDKAppID: options.SDKAppID,
      server: options.server || '',
      persist: options.persist !== false,
    }).then((info) => {
      this._storage = info.storage;
      return info;
    });
  }

  // ----- plumbing -----

  _post(method, params, file, json) {
    const id = this._nextCall++;
    return new Promise((resolve, rejectCall) => {
      this._pending.set(id, { resolve, reject: rejectCall });
      this._worker.postMessage({ id, method, params, file, json });
    });
  }

  /** A Web API call: resolves {code: 0, data}, rejects {code, message}. */
  async _call(method, params, file) {
    await this._started;
    // The arguments cross as JSON text, which the engine reads anyway:
    // one stringify here instead of a structured clone and a stringify
    // in the worker. What JSON cannot hold (a cycle, a BigInt) is the
    // app's error, with a code, not a DataCloneError.
    let json;
    try {
      json = JSON.stringify(params === undefined ? null : params);
    } catch (e) {
      throw { code: 6017, message: `the arguments of ${method} are not JSON: ${e.message || e}` };
    }
    const data = await this._post(method, undefined, file, json);
    return { code: 0, data };
  }

  _receive(message) {
    if (!message) return;
    if (message.event) {
      // The engine's events and results come as JSON text (parsed once,
      // here); the worker's own as objects.
      const data = message.json === undefined ? message.data : JSON.parse(message.json);
      if (message.event === '__uploadProgress') {
        this._uploadProgress(data);
        return;
      }
      if (message.event === 'storage') this._storageChanged(data);
      let announced = data;
      if (message.event === EVENT.MESSAGE_RECEIVED && this._announcedBeforeHandOver && Array.isArray(data)) {
        announced = data.filter((m) => !(m && this._announcedBeforeHandOver.has(m.ID)));
        if (announced.length === 0) return;
      }
      this._mirror(message.event, announced);
      this._emit(message.event, announced);
      return;
    }
    const call = this._pending.get(message.id);
    if (!call) return;
    this._pending.delete(message.id);
    if (message.error) call.reject(message.error);
    else call.resolve(message.json === undefined ? message.result : JSON.parse(message.json));
  }

  _mirror(name, data) {
    switch (name) {
      case EVENT.CONVERSATION_LIST_UPDATED:
        this._conversations = data;
        break;
      case EVENT.TOTAL_UNREAD_MESSAGE_COUNT_UPDATED:
        this._unread = data;
        break;
      case EVENT.MESSAGE_RECEIVED:
      case EVENT.MESSAGE_REVOKED:
      case EVENT.MESSAGE_READ_BY_PEER:
        data.forEach((m) => this._keep(m));
        break;
      case EVENT.SDK_READY:
        this._ready = true;
        break;
      case EVENT.SDK_NOT_READY:
        this._ready = false;
        break;
      case EVENT.KICKED_OUT:
        this._ready = false;
        this._user = '';
        break;
      default:
    }
  }

  /// The worker's "storage" event: the store went to memory, or this tab
  /// was handed the persistent store when the tab that owned it closed.
  _storageChanged(data) {
    if (!data || typeof data.persistent !== 'boolean') return;
    const handedOver = data.persistent && this._storage === 'memory';
    this._storage = data.persistent ? 'opfs' : 'memory';
    if (handedOver) this._announcedBeforeHandOver = new Set(this._messages.keys());
  }

  _uploadProgress({ ID, path, percent }) {
    const upload = this._uploads.get(String(path).replace(/^blob:/, ''));
    if (!upload) return;
    upload.message.ID = ID;
    if (typeof upload.onProgress === 'function') {
      try {
        upload.onProgress(percent);
      } catch (error) {
        console.error('an onProgress handler threw', error);
      }
    }
  }

  _keep(message) {
    if (!message || !message.ID) return message;
    const known = this._messages.get(message.ID);
    if (known) {
      Object.assign(known, message);
      return known;
    }
    this._messages.set(message.ID, message);
    if (this._messages.size > MIRRORED_MESSAGES) {
      this._messages.delete(this._messages.keys().next().value);
    }
    return message;
  }

  _emit(name, data) {
    const handlers = this._handlers.get(name);
    if (!handlers) return;
    for (const { handler, context } of [...handlers]) {
      try {
        handler.call(context, { name, data });
      } catch (error) {
        // An app handler's exception must not stop the others.
        console.error(`a ${name} handler threw`, error);
      }
    }
  }

  // ----- the SDK -----

  on(eventName, handler, context) {
    if (typeof handler !== 'function') return;
    if (!this._handlers.has(eventName)) this._handlers.set(eventName, []);
    this._handlers.get(eventName).push({ handler, context });
  }

  off(eventName, handler, context) {
    const handlers = this._handlers.get(eventName);
    if (!handlers) return;
    this._handlers.set(
      eventName,
      handlers.filter((h) => h.handler !== handler || (context !== undefined && h.context !== context)),
    );
  }

  async login(options) {
    const answer = await this._call('login', options || null);
    this._user = options.userID;
    return answer;
  }

  async logout() {
    const answer = await this._call('logout', null);
    this._user = '';
    this._ready = false;
    this._conversations = [];
    this._unread = 0;
    this._messages.clear();
    this._emit(EVENT.SDK_NOT_READY, null);
    return answer;
  }

  async destroy() {
    await this._started;
    await this._post('__destroy', null);
    this._worker.terminate();
    instances.delete(this._appID);
    this._ready = false;
    this._emit(EVENT.SDK_DESTROY, null);
  }

  isReady() {
    return this._ready;
  }

  getLoginUser() {
    return this._user;
  }

  /** 'opfs' (persistent) or 'memory', once started (beyond Tencent). */
  getStorageType() {
    return this._storage;
  }

  /** Tencent's levels: 0 everything, 1 information, 2 warnings (the default), 3 errors, 4 nothing. */
  setLogLevel(level) {
    this._started.then(() => this._post('__setLogLevel', level)).catch(() => {});
  }

  registerPlugin() {}

  // ----- conversations -----

  getConversationList(options) {
    return this._call('getConversationList', options === undefined ? null : options);
  }

  getConversationProfile(conversationID) {
    return this._call('getConversationProfile', conversationID);
  }

  deleteConversation(options) {
    return this._call('deleteConversation', options);
  }

  pinConversation(options) {
    return this._call('pinConversation', options);
  }

  markConversation(options) {
    return this._call('markConversation', options);
  }

  setConversationDraft(options) {
    return this._call('setConversationDraft', options);
  }

  setConversationCustomData(options) {
    return this._call('setConversationCustomData', options);
  }

  clearHistoryMessage(conversationID) {
    return this._call('clearHistoryMessage', conversationID);
  }

  setMessageRead(options) {
    return this._call('setMessageRead', options);
  }

  setAllMessageRead(options) {
    return this._call('setAllMessageRead', options || { scope: TYPES.READ_ALL_MSG });
  }

  getTotalUnreadMessageCount() {
    return this._unread;
  }

  // ----- conversation groups (seed 004) -----

  getConversationGroupList() {
    return this._call('getConversationGroupList', null);
  }

  createConversationGroup(options) {
    return this._call('createConversationGroup', options);
  }

  deleteConversationGroup(groupName) {
    return this._call('deleteConversationGroup', groupName);
  }

  renameConversationGroup(options) {
    return this._call('renameConversationGroup', options);
  }

  addConversationsToGroup(options) {
    return this._call('addConversationsToGroup', options);
  }

  deleteConversationsFromGroup(options) {
    return this._call('deleteConversationsFromGroup', options);
  }

  // ----- messages -----

  _createMessage(options, type, payload) {
    const conversationType = options.conversationType || TYPES.CONV_C2C;
    return {
      ID: '',
      conversationID: `${conversationType}${options.to}`,
      conversationType,
      time: Math.ceil(Date.now() / 1000),
      sequence: 0,
      clientSequence: 0,
      random: randomU32(),
      priority: options.priority || TYPES.MSG_PRIORITY_NORMAL,
      nick: '',
      avatar: '',
      isPeerRead: false,
      nameCard: '',
      atUserList: options.payload && options.payload.atUserList ? options.payload.atUserList : [],
      cloudCustomData: options.cloudCustomData || '',
      from: this._user,
      to: options.to,
      flow: 'out',
      isSystemMessage: false,
      protocol: 'JSON',
      isResend: false,
      isRead: true,
      status: 'unSend',
      isRevoked: false,
      isDeleted: false,
      isModified: false,
      needReadReceipt: options.needReadReceipt === true,
      readReceiptInfo: { isPeerRead: false, timestamp: 0 },
      isBroadcastMessage: false,
      isSupportExtension: false,
      revoker: '',
      revokerInfo: { userID: '', nick: '', avatar: '' },
      revokeReason: '',
      hasRiskContent: false,
      version: 0,
      type,
      payload,
    };
  }

  createTextMessage(options) {
    const payload = (options && options.payload) || {};
    return this._createMessage(options || {}, TYPES.MSG_TEXT, { text: payload.text });
  }

  createTextAtMessage(options) {
    return this.createTextMessage(options);
  }

  createCustomMessage(options) {
    const payload = (options && options.payload) || {};
    return this._createMessage(options || {}, TYPES.MSG_CUSTOM, {
      data: payload.data || '',
      description: payload.description || '',
      extension: payload.extension || '',
    });
  }

  /**
   * A file message: options.payload.file is a File, a Blob or an
   * <input type=file>; options.onProgress(percent) hears the upload.
   */
  createFileMessage(options) {
    return this._createFileMessage(options || {}, TYPES.MSG_FILE);
  }

  createImageMessage(options) {
    return this._createFileMessage(options || {}, TYPES.MSG_IMAGE);
  }

  _createFileMessage(options, type) {
    const file = fileOf(options.payload && options.payload.file);
    const payload =
      type === TYPES.MSG_FILE
        ? { uuid: '', fileName: file ? file.name || 'file' : '', fileSize: file ? file.size : 0, fileUrl: '' }
        : { uuid: '', imageFormat: 255, imageInfoArray: [] };
    const message = this._createMessage(options, type, payload);
    if (file) messageFiles.set(message, { key: randomKey(), blob: file, onProgress: options.onProgress });
    return message;
  }

  async sendMessage(message) {
    if (!message || typeof message !== 'object' || !message.type) {
      return reject(CODE.MSG_INSTANCE_REQUIRED, 'sendMessage needs a message made by create*Message');
    }
    const file = messageFiles.get(message);
    if (file) this._uploads.set(file.key, { message, onProgress: file.onProgress });
    let answer;
    try {
      answer = await this._call('sendMessage', message, file ? { key: file.key, blob: file.blob } : undefined);
    } finally {
      if (file) this._uploads.delete(file.key);
    }
    // Tencent's module completes the app's own message object.
    Object.assign(message, answer.data.message);
    answer.data.message = this._keep(message);
    return answer;
  }

  async getMessageList(options) {
    const answer = await this._call('getMessageList', options);
    answer.data.messageList = answer.data.messageList.map((m) => this._keep(m));
    return answer;
  }

  async revokeMessage(message) {
    const answer = await this._call('revokeMessage', message);
    if (message && typeof message === 'object') Object.assign(message, answer.data.message);
    return answer;
  }

  async deleteMessage(messageList) {
    const answer = await this._call('deleteMessage', messageList);
    for (const m of answer.data.messageList) {
      const known = this._messages.get(m.ID);
      if (known) known.isDeleted = true;
      this._messages.delete(m.ID);
    }
    return answer;
  }

  findMessage(messageID) {
    const found = this._messages.get(messageID);
    return found && !found.isDeleted ? found : null;
  }

  /**
   * Searches the messages stored on this device (beyond Tencent's Web SDK,
   * which has cloud search only). Options: keywordList, keywordListMatchType
   * ('or' | 'and'), senderUserIDList, messageTypeList, conversationID,
   * timePosition, timePeriod, pageIndex, count. Resolves {totalCount,
   * resultList: [{conversationID, messageCount, messageList,
   * matchRangeList}]}; each match range is {key, start, end} in UTF-16 code
   * units of the text, for highlighting.
   */
  searchLocalMessages(options) {
    return this._call('searchLocalMessages', options);
  }

  /**
   * Stores up to 1000 messages in a conversation as history, with no
   * unread count and no event (beyond Tencent's Web SDK; the native SDK's
   * TIMMsgImportMsgList), e.g. from an app's own archive. Options:
   * conversationID, messageList (each {type, payload, from, time}).
   * Resolves {messageList}: the stored messages.
   */
  importMessages(options) {
    return this._call('importMessages', options);
  }
}

/** The SDK's entry point, as Tencent's module names it. */
const TencentCloudChat = {
  EVENT,
  TYPES,
  VERSION: '0.1.0',
  /**
   * The SDK instance of an SDKAppID (the same one for the same SDKAppID).
   * Options: SDKAppID; beyond Tencent: server (the IM server's base URL,
   * default the page's origin), persist (false: keep nothing on the
   * device), workerURL.
   */
  create(options) {
    const appID = options && options.SDKAppID;
    if (typeof appID !== 'number' || !(appID > 0)) {
      throw Object.assign(new Error('create needs a positive SDKAppID'), { code: CODE.NO_SDKAPPID });
    }
    if (!instances.has(appID)) instances.set(appID, new ChatSDK(options));
    return instances.get(appID);
  },
};

export { TencentCloudChat, TencentCloudChat as TIM, ChatSDK };
export default TencentCloudChat;
