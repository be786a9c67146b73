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
// "storage" event; the data of that tab does not persist. SQLite on OPFS
// allows one connection per database, so two owners would corrupt it.

import init, { ImWorker } from './im_web.js';

let engine = null;

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

/// Holds the store's lock until the worker ends; false when another tab
/// holds it.
function takeStoreLock(appID) {
  if (!self.navigator || !self.navigator.locks) return Promise.resolve(true);
  return new Promise((resolve) => {
    self.navigator.locks.request(`im-web-store-${appID}`, { ifAvailable: true }, (lock) => {
      if (!lock) {
        resolve(false);
        return undefined;
      }
      resolve(true);
      // Held as long as the worker lives.
      return new Promise(() => {});
    });
  });
}

async function start(options) {
  if (engine) return { storage: engine.storage };
  await init();
  let persist = options.persist !== false;
  let reason = null;
  if (persist && !(await takeStoreLock(options.SDKAppID))) {
    persist = false;
    reason = 'another tab of this app holds the local store';
  }
  // Events and results cross as the engine's JSON text: the page parses
  // it once, where an object would be parsed here and then copied again
  // by postMessage's structured clone.
  engine = await ImWorker.start(options.SDKAppID, options.server || '', persist, (name, json) => {
    post({ event: name, json });
  });
  if (reason) post({ event: 'storage', data: { persistent: false, reason } });
  return { storage: engine.storage };
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
      await engine.destroy();
      result = null;
    } else if (method === '__isReady') {
      result = engine.isReady();
    } else if (method === '__setLogLevel') {
      ImWorker.setLogLevel(Number(params) | 0);
      result = null;
    } else {
      if (typeof json !== 'string') json = JSON.stringify(params === undefined ? null : params);
      if (file && file.blob instanceof Blob) {
        // A file message: the engine uploads the page's File or Blob,
        // which it keeps under the key the page gave it.
        const message = JSON.parse(json);
        if (message && typeof message === 'object' && message.payload && typeof message.payload === 'object') {
          message.payload.__path = engine.addFile(String(file.key), file.blob);
          json = JSON.stringify(message);
        }
      }
      post({ id, json: await engine.call(String(method), json) });
      return;
    }
    post({ id, result });
  } catch (thrown) {
    post({ id, error: asError(thrown) });
  }
};
