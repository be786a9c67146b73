// The web chat page: Tencent's Web API (index.js) driving a small chat
// UI. Served by the server under /web/ (im-server --web-dir target/web).

import TencentCloudChat from './index.js';
import { genUserSig } from './usersig.js';

const $ = (id) => document.getElementById(id);
const state = { tim: null, conversations: [], tab: '', open: null, messages: [], next: '', done: true };

function text(tag, content, className) {
  const node = document.createElement(tag);
  node.textContent = content;
  if (className) node.className = className;
  return node;
}

function fail(error) {
  const message = error && error.code !== undefined ? `${error.code}: ${error.message}` : String(error);
  console.warn(message);
  $('login-error').textContent = message;
  return message;
}

// ----- login -----

$('login').addEventListener('submit', async (e) => {
  e.preventDefault();
  const form = new FormData(e.target);
  const app = Number(form.get('app'));
  const user = String(form.get('user'));
  try {
    const userSig = await genUserSig(app, String(form.get('key')), user);
    const tim = TencentCloudChat.create({ SDKAppID: app });
    state.tim = tim;
    listen(tim);
    await tim.login({ userID: user, userSig });
    $('me').textContent = user;
    $('login').hidden = true;
    $('chat').hidden = false;
  } catch (error) {
    fail(error);
  }
});

$('logout').addEventListener('click', async () => {
  await state.tim.logout().catch(fail);
  $('chat').hidden = true;
  $('login').hidden = false;
});

function listen(tim) {
  const E = TencentCloudChat.EVENT;
  const showStorage = () => {
    $('storage').textContent = tim.getStorageType() === 'opfs' ? '(kept on this device)' : '(memory only)';
  };
  tim.on(E.SDK_READY, () => {
    showStorage();
    refresh();
  });
  // Beyond Tencent: another tab held the store, and has closed.
  tim.on('storage', showStorage);
  tim.on(E.CONVERSATION_LIST_UPDATED, (event) => {
    state.conversations = event.data;
    renderConversations();
  });
  tim.on(E.CONVERSATION_GROUP_LIST_UPDATED, () => renderTabs());
  tim.on(E.TOTAL_UNREAD_MESSAGE_COUNT_UPDATED, (event) => {
    document.title = event.data > 0 ? `(${event.data}) im-core web chat` : 'im-core web chat';
  });
  tim.on(E.MESSAGE_RECEIVED, (event) => {
    const mine = event.data.filter((m) => state.open && m.conversationID === state.open);
    if (mine.length) {
      state.messages.push(...mine);
      renderMessages();
      tim.setMessageRead({ conversationID: state.open }).catch(fail);
    }
  });
  tim.on(E.MESSAGE_REVOKED, () => renderMessages());
  tim.on(E.MESSAGE_READ_BY_PEER, () => renderMessages());
  tim.on(E.NET_STATE_CHANGE, (event) => {
    $('net').textContent = event.data.state;
  });
  tim.on(E.KICKED_OUT, (event) => {
    fail(`logged out: ${event.data.type}`);
    $('chat').hidden = true;
    $('login').hidden = false;
  });
}

async function refresh() {
  const answer = await state.tim.getConversationList().catch(fail);
  if (answer) state.conversations = answer.data.conversationList;
  renderTabs();
  renderConversations();
}

// ----- folders (conversation groups) -----

async function renderTabs() {
  const answer = await state.tim.getConversationGroupList().catch(fail);
  const groups = answer ? answer.data : [];
  if (state.tab && !groups.includes(state.tab)) state.tab = '';
  const tabs = $('tabs');
  tabs.replaceChildren();
  for (const name of ['', ...groups]) {
    const button = text('button', name || 'All');
    button.setAttribute('aria-pressed', String(name === state.tab));
    button.addEventListener('click', () => {
      state.tab = name;
      renderTabs();
      renderConversations();
    });
    tabs.append(button);
  }
  const move = $('move');
  move.replaceChildren(text('option', 'Add to folder…'));
  move.firstChild.value = '';
  for (const name of groups) {
    const option = text('option', name);
    option.value = name;
    move.append(option);
  }
}

$('folder').addEventListener('submit', async (e) => {
  e.preventDefault();
  const name = new FormData(e.target).get('name');
  const ids = state.open ? [state.open] : [];
  await state.tim.createConversationGroup({ conversationIDList: ids, groupName: String(name) }).catch(fail);
  e.target.reset();
});

$('move').addEventListener('change', async (e) => {
  if (!e.target.value || !state.open) return;
  await state.tim.addConversationsToGroup({ conversationIDList: [state.open], groupName: e.target.value }).catch(fail);
  e.target.value = '';
});

$('unfolder').addEventListener('click', async () => {
  if (!state.tab || !state.open) return;
  await state.tim.deleteConversationsFromGroup({ conversationIDList: [state.open], groupName: state.tab }).catch(fail);
});

$('rename').addEventListener('click', async () => {
  if (!state.tab) return;
  const newName = prompt(`Rename folder ${state.tab} to`, state.tab);
  if (!newName) return;
  await state.tim.renameConversationGroup({ oldName: state.tab, newName }).catch(fail);
  state.tab = newName;
});

$('delete-folder').addEventListener('click', async () => {
  if (!state.tab) return;
  await state.tim.deleteConversationGroup(state.tab).catch(fail);
});

// ----- conversations -----

function title(c) {
  if (c.groupProfile) return c.groupProfile.name || c.groupProfile.groupID;
  return (c.userProfile && (c.userProfile.nick || c.userProfile.userID)) || c.conversationID;
}

function renderConversations() {
  const list = $('conversations');
  list.replaceChildren();
  const shown = state.conversations.filter((c) => !state.tab || c.conversationGroupList.includes(state.tab));
  for (const c of shown) {
    const item = text('li', title(c));
    if (c.isPinned) item.classList.add('pinned');
    if (c.markList.includes(TencentCloudChat.TYPES.CONV_MARK_TYPE_STAR)) item.classList.add('starred');
    if (c.conversationID === state.open) item.classList.add('open');
    if (c.unreadCount > 0) item.append(text('span', String(c.unreadCount), 'badge'));
    if (c.draftText) item.append(text('i', ` [draft] ${c.draftText}`));
    else item.append(text('div', c.lastMessage.messageForShow, 'meta'));
    item.addEventListener('click', () => openConversation(c.conversationID));
    list.append(item);
  }
}

$('new-conv').addEventListener('submit', async (e) => {
  e.preventDefault();
  const id = String(new FormData(e.target).get('id'));
  const answer = await state.tim.getConversationProfile(id).catch(fail);
  if (answer) openConversation(id);
  e.target.reset();
});

async function openConversation(id) {
  const compose = $('compose').elements.text;
  if (state.open && state.open !== id) {
    // What was typed stays as the conversation's draft.
    await state.tim.setConversationDraft({ conversationID: state.open, draftText: compose.value }).catch(fail);
  }
  state.open = id;
  const conversation = state.conversations.find((c) => c.conversationID === id);
  compose.value = conversation ? conversation.draftText : '';
  $('conv-title').textContent = conversation ? title(conversation) : id;
  state.messages = [];
  state.next = '';
  state.done = false;
  await loadOlder();
  state.tim.setMessageRead({ conversationID: id }).catch(fail);
  renderConversations();
}

async function loadOlder() {
  if (state.done || !state.open) return;
  const answer = await state.tim
    .getMessageList({ conversationID: state.open, nextReqMessageID: state.next || undefined })
    .catch(fail);
  if (!answer) return;
  state.messages = [...answer.data.messageList, ...state.messages];
  state.next = answer.data.nextReqMessageID;
  state.done = answer.data.isCompleted;
  renderMessages();
}

$('older').addEventListener('click', loadOlder);

$('pin').addEventListener('click', async () => {
  const c = state.conversations.find((x) => x.conversationID === state.open);
  if (c) await state.tim.pinConversation({ conversationID: c.conversationID, isPinned: !c.isPinned }).catch(fail);
});

$('star').addEventListener('click', async () => {
  const c = state.conversations.find((x) => x.conversationID === state.open);
  if (!c) return;
  const star = TencentCloudChat.TYPES.CONV_MARK_TYPE_STAR;
  await state.tim
    .markConversation({ conversationIDList: [c.conversationID], markType: star, enableMark: !c.markList.includes(star) })
    .catch(fail);
});

// ----- messages -----

function describe(m) {
  if (m.isRevoked) return 'message revoked';
  if (m.type === TencentCloudChat.TYPES.MSG_TEXT) return m.payload.text;
  if (m.type === TencentCloudChat.TYPES.MSG_FILE) return `[file] ${m.payload.fileName} (${m.payload.fileSize} bytes)`;
  if (m.type === TencentCloudChat.TYPES.MSG_IMAGE) return '[image]';
  if (m.type === TencentCloudChat.TYPES.MSG_CUSTOM) return `[custom] ${m.payload.data}`;
  return `[${m.type}]`;
}

// A file's link, only when it is a web address: a peer chooses what its
// messages carry, and a `javascript:` link must never reach an href.
function fileLink(url) {
  try {
    const parsed = new URL(url, location.href);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.href : null;
  } catch {
    return null;
  }
}

// What a file or image message shows besides its text: a download link,
// or the picture.
function attachment(m) {
  if (m.isRevoked) return null;
  if (m.type === TencentCloudChat.TYPES.MSG_FILE) {
    const href = fileLink(m.payload.fileUrl);
    if (!href) return null;
    const link = text('a', 'Download', 'download');
    link.href = href;
    link.download = m.payload.fileName;
    link.rel = 'noopener';
    return link;
  }
  if (m.type === TencentCloudChat.TYPES.MSG_IMAGE) {
    const info = (m.payload.imageInfoArray || [])[0];
    const src = info && fileLink(info.url);
    if (!src) return null;
    const image = document.createElement('img');
    image.src = src;
    image.alt = 'image';
    image.className = 'picture';
    return image;
  }
  return null;
}

function renderMessages() {
  const list = $('messages');
  list.replaceChildren();
  for (const m of state.messages) {
    if (m.isDeleted) continue;
    const item = text('li', describe(m), m.flow);
    const extra = attachment(m);
    if (extra) item.append(extra);
    const meta = `${m.from} ${new Date(m.time * 1000).toLocaleTimeString()}${m.flow === 'out' && m.isPeerRead ? ' · read' : ''}`;
    item.append(text('div', meta, 'meta'));
    if (m.flow === 'out' && !m.isRevoked) {
      const revoke = text('button', 'Revoke');
      revoke.addEventListener('click', () => state.tim.revokeMessage(m).then(renderMessages, fail));
      item.append(revoke);
    }
    list.append(item);
  }
  list.scrollTop = list.scrollHeight;
}

$('compose').addEventListener('submit', async (e) => {
  e.preventDefault();
  if (!state.open) return;
  const input = e.target.elements.text;
  const picker = e.target.elements.file;
  const [type, to] = state.open.startsWith('GROUP') ? ['GROUP', state.open.slice(5)] : ['C2C', state.open.slice(3)];
  const T = TencentCloudChat.TYPES;
  let message;
  if (picker.files.length > 0) {
    const file = picker.files[0];
    const create = file.type.startsWith('image/') ? 'createImageMessage' : 'createFileMessage';
    message = state.tim[create]({
      to,
      conversationType: type === 'GROUP' ? T.CONV_GROUP : T.CONV_C2C,
      payload: { file },
      onProgress: (percent) => {
        $('upload').textContent = `uploading ${Math.round(percent * 100)}%`;
      },
    });
    picker.value = '';
  } else if (input.value) {
    message = state.tim.createTextMessage({
      to,
      conversationType: type === 'GROUP' ? T.CONV_GROUP : T.CONV_C2C,
      payload: { text: input.value },
    });
    input.value = '';
  } else {
    return;
  }
  state.messages.push(message);
  renderMessages();
  await state.tim.sendMessage(message).catch(fail);
  $('upload').textContent = '';
  renderMessages();
});

// ----- local search -----

function highlighted(content, ranges) {
  const line = document.createElement('span');
  let at = 0;
  for (const r of [...ranges].sort((a, b) => a.start - b.start)) {
    if (r.start < at) continue;
    line.append(content.slice(at, r.start));
    line.append(text('mark', content.slice(r.start, r.end)));
    at = r.end;
  }
  line.append(content.slice(at));
  return line;
}

$('search').addEventListener('submit', async (e) => {
  e.preventDefault();
  const words = String(new FormData(e.target).get('q')).split(/\s+/).filter(Boolean);
  const answer = await state.tim
    .searchLocalMessages({ keywordList: words, keywordListMatchType: 'and', count: 50 })
    .catch(fail);
  const hits = $('hits');
  hits.replaceChildren();
  if (!answer) return;
  for (const result of answer.data.resultList) {
    result.messageList.forEach((m, i) => {
      const item = document.createElement('li');
      item.append(text('b', `${result.conversationID}: `));
      item.append(highlighted(describe(m), result.matchRangeList[i] || []));
      item.addEventListener('click', () => openConversation(result.conversationID));
      hits.append(item);
    });
  }
});
