// The SDK's dedicated worker: it loads the engine (im_web.js and its
// wasm), opens the store, and serves the page's calls.
//
// Messages from the page:  {id, method, params[, file: {key, blob}]}
//   method "__start": params {SDKAppID, server, persist}
//   method "__destroy": logs out and stops the engine
//   any other: a Web API method; params is its first argument
// Messages to the page:    {id, result} | {id, error: {code, message}}
//                          {event, data} for every Web SDK event
//
// One tab owns a persistent store: the worker takes a Web Lock named after
// the SDKAppID for its lifetime. A worker that cannot get it (another tab
// of the app holds the store) runs on a memory store and says so with a
// "storage" event ({persistent: false, reason}); SQLite on OPFS allows one
// connection per database, so two owners would corrupt it. That worker
// keeps waiting for the lock: when the owner tab closes, it is handed the
// store. Once no call is running (and, logged in, the server answers), it
// replaces its engine with one on OPFS, says so ({persistent: true}) and
// logs the same user in again; calls made meanwhile wait for it, and the
// replaced engine's events are dropped.

import init, { ImWorker } from './im_web.js';

/// The engine that serves calls.
let engine = null;
/// Raised with each engine started: events of a replaced one are dropped.
let generation = 0;
/// What `__start` was given, for an engine started by a hand-over.
let startOptions = null;
/// The arguments of the last login that succeeded (JSON text), to log in
/// again after a hand-over; null once logged out or kicked out.
let loginJson = null;
/// Web API calls running on the current engine.
let running = 0;
/// The store's lock was granted to this memory-only worker.
let handOverDue = false;
/// Settles when a hand-over in progress ends.
let switching = null;
/// The current engine's last network state was "connected" (a hand-over
/// logs in again, which needs the server).
let online = true;
let destroyed = false;

function post(message) {
  self.postMessage(message);
}

/// The `{code, message}` of whatever a call threw or rejected with.
function asError(thrown) {
  if (typeof thrown === 'string') {
    try {
      const parsed = JSON.parse(thrown);
      if (parsed && typeof parsed.code === 'number') return parsed;
    } catch (_) {
      // Not JSON: a message from the runtime.
    }
    return { code: 6022, message: thrown };
  }
  const message = thrown && thrown.message ? thrown.message : String(thrown);
  return { code: 6022, message };
}

/// Asks for the store's lock and, once granted, holds it until the worker
/// ends; `granted(false)` when `ifAvailable` and another tab holds it.
function holdStoreLock(appID, ifAvailable, granted) {
  self.navigator.locks.request(storeLockName(appID), { ifAvailable }, (lock) => {
    if (!lock) {
      granted(false);
      return undefined;
    }
    granted(true);
    return new Promise(() => {});
  });
}

/// Takes the store's lock if no other tab holds it.
function takeStoreLock(appID) {
  if (!self.navigator || !self.navigator.locks) return Promise.resolve(true);
  return new Promise((resolve) => holdStoreLock(appID, true, resolve));
}

/// Waits for the owner tab to let go of the store, then hands it over.
function awaitStoreLock(appID) {
  holdStoreLock(appID, false, () => {
    handOverDue = true;
    handOverWhenIdle();
  });
}

function storeLockName(appID) {
  return `im-web-store-${appID}`;
}

/// Starts an engine whose events reach the page until another replaces
/// it. `quiet` drops its own "storage" event (a hand-over reports itself).
function startEngine(options, persist, quiet) {
  const own = ++generation;
  return ImWorker.start(options.SDKAppID, options.server || '', persist, (name, json) => {
    if (own !== generation) return;
    if (quiet && name === 'storage') return;
    // A kicked-out user is not logged in again by a hand-over.
    if (name === 'kickedOut') loginJson = null;
    if (name === 'netStateChange') {
      online = JSON.parse(json).state === 'connected';
      handOverWhenIdle();
    }
    // Events and results cross as the engine's JSON text: the page parses
    // it once, where an object would be parsed here and then copied again
    // by postMessage's structured clone.
    post({ event: name, json });
  });
}

async function start(options) {
  if (engine) return { storage: engine.storage };
  await init();
  startOptions = options;
  let persist = options.persist !== false;
  let reason = null;
  if (persist && !(await takeStoreLock(options.SDKAppID))) {
    persist = false;
    reason = 'another tab of this app holds the local store';
    awaitStoreLock(options.SDKAppID);
  }
  engine = await startEngine(options, persist, false);
  if (reason) post({ event: 'storage', data: { persistent: false, reason } });
  handOverWhenIdle();
  return { storage: engine.storage };
}

/// Starts the hand-over once it is due, no call is running on the memory
/// engine (a send it holds ends before it goes) and, for a logged-in user,
/// the server can be reached (offline, the tab stays logged in on memory).
function handOverWhenIdle() {
  if (!handOverDue || !engine || running > 0 || switching || destroyed) return;
  if (loginJson && !online) return;
  handOverDue = false;
  switching = handOver()
    .catch((thrown) => post({ event: 'error', data: asError(thrown) }))
    .finally(() => {
      switching = null;
    });
}

/// How many times the handed-over store is tried before staying on memory.
const HAND_OVER_TRIES = 5;

async function handOver() {
  const login = loginJson;
  // From here on the memory engine's events (its logout) are not the page's.
  generation++;
  await engine.destroy();
  // The owner tab's worker lets go of the lock as it ends; its hold on the
  // files may end a moment later, so opening them is tried a few times.
  let next = null;
  for (let attempt = 1; attempt <= HAND_OVER_TRIES && !next; attempt++) {
    const candidate = await startEngine(startOptions, true, true);
    if (candidate.storage === 'opfs') {
      next = candidate;
    } else {
      await candidate.destroy();
      await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
    }
  }
  if (next) {
    post({ event: 'storage', data: { persistent: true } });
  } else {
    next = await startEngine(startOptions, false, true);
    post({
      event: 'storage',
      data: { persistent: false, reason: 'the local store could not be opened after the other tab closed' },
    });
  }
  engine = next;
  if (!login) return;
  try {
    await engine.call('login', login);
  } catch (thrown) {
    // The page was ready on the memory engine; now it is not.
    loginJson = null;
    post({ event: 'error', data: asError(thrown) });
    post({ event: 'sdkStateNotReady', data: null });
  }
}

self.onmessage = async (e) => {
  const { id, method, file } = e.data || {};
  // Web API calls bring their arguments as JSON text; the worker's own
  // (__start ...) as objects.
  let { params, json } = e.data || {};
  try {
    let result;
    if (method === '__start') {
      result = await start(params || {});
    } else if (!engine) {
      throw JSON.stringify({ code: 2999, message: 'the SDK is not started' });
    } else if (method === '__destroy') {
      destroyed = true;
      while (switching) await switching;
      await engine.destroy();
      result = null;
    } else if (method === '__isReady') {
      while (switching) await switching;
      result = engine.isReady();
    } else if (method === '__setLogLevel') {
      ImWorker.setLogLevel(Number(params) | 0);
      result = null;
    } else {
      post({ id, json: await callEngine(String(method), params, json, file) });
      return;
    }
    post({ id, result });
  } catch (thrown) {
    post({ id, error: asError(thrown) });
  }
};

/// Runs a Web API method on the current engine (once a hand-over in
/// progress has ended); resolves with the JSON text of its data.
async function callEngine(method, params, json, file) {
  while (switching) await switching;
  const current = engine;
  running++;
  try {
    if (typeof json !== 'string') json = JSON.stringify(params === undefined ? null : params);
    if (file && file.blob instanceof Blob) {
      // A file message: the engine uploads the page's File or Blob,
      // which it keeps under the key the page gave it.
      const message = JSON.parse(json);
      if (message && typeof message === 'object' && message.payload && typeof message.payload === 'object') {
        message.payload.__path = current.addFile(String(file.key), file.blob);
        json = JSON.stringify(message);
      }
    }
    const answer = await current.call(method, json);
    if (current === engine) {
      if (method === 'login') loginJson = json;
      else if (method === 'logout') loginJson = null;
    }
    return answer;
  } finally {
    running--;
    handOverWhenIdle();
  }
}
