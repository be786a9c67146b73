// A UserSig made in the browser from the app's secret key, for local
// development only, as Tencent's own web demos do: whoever has the page
// has the key and can log in as anyone. A real deployment gets UserSigs
// from its backend.
//
// Tencent's tls-sig-api-v2: HMAC-SHA256 over the fields, a JSON document,
// zlib, then base64 with `+/=` replaced by `*-_`.

const encoder = new TextEncoder();

function base64(bytes) {
  let text = '';
  for (const b of bytes) text += String.fromCharCode(b);
  return btoa(text);
}

async function zlib(bytes) {
  // 'deflate' is the zlib format (RFC 1950), which Tencent's verifier reads.
  const stream = new Blob([bytes]).stream().pipeThrough(new CompressionStream('deflate'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** A UserSig for `userID`, valid for `expire` seconds from now. */
export async function genUserSig(sdkAppID, secretKey, userID, expire = 604800) {
  const time = Math.floor(Date.now() / 1000);
  const content =
    `TLS.identifier:${userID}\n` +
    `TLS.sdkappid:${sdkAppID}\n` +
    `TLS.time:${time}\n` +
    `TLS.expire:${expire}\n`;
  const key = await crypto.subtle.importKey(
    'raw',
    encoder.encode(secretKey),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, encoder.encode(content)));
  const doc = JSON.stringify({
    'TLS.ver': '2.0',
    'TLS.identifier': userID,
    'TLS.sdkappid': sdkAppID,
    'TLS.expire': expire,
    'TLS.time': time,
    'TLS.sig': base64(mac),
  });
  const compressed = await zlib(encoder.encode(doc));
  return base64(compressed).replace(/\+/g, '*').replace(/\//g, '-').replace(/=/g, '_');
}
