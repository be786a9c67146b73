//! Tencent's UserSig (tls-sig-api-v2): making and checking login tickets.
//!
//! A UserSig is `base64'(zlib(JSON))`, where base64' is standard base64
//! with `+/=` replaced by `*-_`, and the JSON holds the identifier, the
//! SDKAppID, the issue time, the lifetime and `TLS.sig`: the standard
//! base64 of HMAC-SHA256 over
//! `TLS.identifier:..\nTLS.sdkappid:..\nTLS.time:..\nTLS.expire:..\n`
//! keyed with the secret key's text. Tickets made by Tencent's own
//! generator libraries verify here, whatever their zlib level or JSON
//! spacing, because the JSON is parsed, never compared as bytes.
//!
//! Beyond Tencent's reference verifier, this one caps the input and the
//! decompressed size (zlib bombs), requires `TLS.ver` "2.0", rejects
//! negative or absurd lifetimes and issue times in the future, does its
//! arithmetic checked, and compares MACs in constant time
//! (`Mac::verify_slice`). Each failure maps to Tencent's 700xx code.

use std::io::Read;

use base64::Engine;
use base64::alphabet::Alphabet;
use base64::engine::DecodePaddingMode;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD};
use hmac::{KeyInit, Mac};
use serde::Deserialize;

type HmacSha256 = hmac::Hmac<sha2::Sha256>;

/// The longest UserSig accepted (real ones are about 200 characters).
pub const MAX_USER_SIG_CHARS: usize = 2048;
/// The largest decompressed document accepted.
pub const MAX_DECOMPRESSED_BYTES: u64 = 8 * 1024;
/// The longest lifetime accepted: ten years.
pub const MAX_EXPIRE_SECS: i64 = 10 * 366 * 86_400;
/// How far in the future an issue time may lie (clock skew).
pub const MAX_CLOCK_SKEW_SECS: i64 = 300;
/// The lifetime Tencent's generators use by default: 180 days.
pub const DEFAULT_EXPIRE_SECS: i64 = 180 * 86_400;

/// Why a UserSig was refused, each with Tencent's account error code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SigError {
    /// 70001: the ticket's lifetime is over.
    #[error("the UserSig expired at {expired_at}")]
    Expired {
        /// When it expired (Unix seconds).
        expired_at: i64,
    },
    /// 70003: not a UserSig (encoding, compression, JSON, version, fields).
    #[error("the UserSig cannot be parsed: {0}")]
    Malformed(&'static str),
    /// 70009: the signature does not match (made with another key, or altered).
    #[error("the UserSig's signature does not verify")]
    BadSignature,
    /// 70013: made for another user.
    #[error("the UserSig was made for another user id")]
    WrongUser,
    /// 70014: made for another app.
    #[error("the UserSig was made for another SDKAppID")]
    WrongApp,
    /// 70050: too many failed checks for this identity; retry in a minute.
    #[error("too many failed UserSig checks; retry after a minute")]
    Throttled,
}

impl SigError {
    /// Tencent's code for the failure.
    pub fn code(&self) -> i32 {
        match self {
            SigError::Expired { .. } => 70001,
            SigError::Malformed(_) => 70003,
            SigError::BadSignature => 70009,
            SigError::WrongUser => 70013,
            SigError::WrongApp => 70014,
            SigError::Throttled => 70050,
        }
    }
}

/// What a verified UserSig says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ticket {
    /// Issue time (Unix seconds).
    pub issued_at: i64,
    /// When it stops being valid (Unix seconds): valid while `now <= expires_at`.
    pub expires_at: i64,
}

/// An app's key: makes and checks UserSigs for one SDKAppID.
#[derive(Clone)]
pub struct SigKey {
    sdk_app_id: u64,
    secret: String,
}

impl std::fmt::Debug for SigKey {
    /// Never prints the secret key.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigKey")
            .field("sdk_app_id", &self.sdk_app_id)
            .finish_non_exhaustive()
    }
}

/// Standard base64 with Tencent's substituted characters `*`, `-` and `_`.
fn tencent_base64() -> GeneralPurpose {
    let alphabet =
        Alphabet::new("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789*-")
            .expect("the alphabet has 64 distinct printable characters");
    GeneralPurpose::new(
        &alphabet,
        GeneralPurposeConfig::new()
            .with_encode_padding(true)
            .with_decode_padding_mode(DecodePaddingMode::Indifferent),
    )
}

/// Encodes in Tencent's alphabet, with `_` as the padding character.
fn tencent_encode(bytes: &[u8]) -> String {
    tencent_base64().encode(bytes).replace('=', "_")
}

/// Decodes Tencent's alphabet; `None` for any character outside it
/// (standard base64's `+`, `/` and `=` included).
fn tencent_decode(text: &str) -> Option<Vec<u8>> {
    let valid = |c: char| c.is_ascii_alphanumeric() || matches!(c, '*' | '-' | '_');
    if !text.chars().all(valid) {
        return None;
    }
    tencent_base64().decode(text.replace('_', "=")).ok()
}

/// The JSON document inside a UserSig.
#[derive(Deserialize)]
struct Document {
    #[serde(rename = "TLS.ver")]
    ver: String,
    #[serde(rename = "TLS.identifier")]
    identifier: String,
    #[serde(rename = "TLS.sdkappid")]
    sdk_app_id: u64,
    #[serde(rename = "TLS.expire")]
    expire: i64,
    #[serde(rename = "TLS.time")]
    time: i64,
    #[serde(rename = "TLS.sig")]
    sig: String,
    #[serde(rename = "TLS.userbuf")]
    userbuf: Option<String>,
}

impl SigKey {
    /// The key of `sdk_app_id`, as the console shows it (used as text).
    pub fn new(sdk_app_id: u64, secret: impl Into<String>) -> SigKey {
        SigKey {
            sdk_app_id,
            secret: secret.into(),
        }
    }

    /// The SDKAppID this key signs for.
    pub fn sdk_app_id(&self) -> u64 {
        self.sdk_app_id
    }

    fn mac(&self, identifier: &str, time: i64, expire: i64, userbuf: Option<&str>) -> HmacSha256 {
        let mut content = format!(
            "TLS.identifier:{identifier}\nTLS.sdkappid:{}\nTLS.time:{time}\nTLS.expire:{expire}\n",
            self.sdk_app_id
        );
        if let Some(buf) = userbuf {
            content.push_str(&format!("TLS.userbuf:{buf}\n"));
        }
        let mut mac =
            HmacSha256::new_from_slice(self.secret.as_bytes()).expect("HMAC takes any key length");
        mac.update(content.as_bytes());
        mac
    }

    /// Makes a UserSig for `identifier` issued at `now` and valid for
    /// `expire` seconds, as Tencent's generators do (zlib level 6, the
    /// Python library's JSON spacing).
    pub fn generate(&self, identifier: &str, now: i64, expire: i64) -> String {
        let sig = STANDARD.encode(
            self.mac(identifier, now, expire, None)
                .finalize()
                .into_bytes(),
        );
        let document = serde_json::json!({
            "TLS.ver": "2.0",
            "TLS.identifier": identifier,
            "TLS.sdkappid": self.sdk_app_id,
            "TLS.expire": expire,
            "TLS.time": now,
            "TLS.sig": sig,
        });
        let json = serde_json::to_vec(&document).expect("a JSON value serializes");
        let mut zlib = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        std::io::Write::write_all(&mut zlib, &json).expect("writing to a Vec cannot fail");
        let compressed = zlib.finish().expect("writing to a Vec cannot fail");
        tencent_encode(&compressed)
    }

    /// Checks `user_sig` for `identifier` at time `now` (Unix seconds).
    ///
    /// # Errors
    /// The [`SigError`] saying why, in the order Tencent's verifier checks:
    /// format, SDKAppID, identifier, expiry, then the signature.
    pub fn verify(&self, identifier: &str, user_sig: &str, now: i64) -> Result<Ticket, SigError> {
        if user_sig.is_empty() || user_sig.len() > MAX_USER_SIG_CHARS {
            return Err(SigError::Malformed("empty or too long"));
        }
        let compressed =
            tencent_decode(user_sig).ok_or(SigError::Malformed("not Tencent base64"))?;
        let mut json = Vec::new();
        flate2::read::ZlibDecoder::new(compressed.as_slice())
            .take(MAX_DECOMPRESSED_BYTES + 1)
            .read_to_end(&mut json)
            .map_err(|_| SigError::Malformed("not a zlib stream"))?;
        if json.len() as u64 > MAX_DECOMPRESSED_BYTES {
            return Err(SigError::Malformed("decompresses to too much"));
        }
        let doc: Document = serde_json::from_slice(&json)
            .map_err(|_| SigError::Malformed("not the JSON document"))?;
        if doc.ver != "2.0" {
            return Err(SigError::Malformed("TLS.ver is not 2.0"));
        }
        if doc.sdk_app_id != self.sdk_app_id {
            return Err(SigError::WrongApp);
        }
        if doc.identifier != identifier {
            return Err(SigError::WrongUser);
        }
        if !(0..=MAX_EXPIRE_SECS).contains(&doc.expire) || doc.time < 0 {
            return Err(SigError::Malformed("lifetime or issue time out of range"));
        }
        if doc.time > now.saturating_add(MAX_CLOCK_SKEW_SECS) {
            return Err(SigError::Malformed("issued in the future"));
        }
        let expires_at = doc
            .time
            .checked_add(doc.expire)
            .ok_or(SigError::Malformed("lifetime overflows"))?;
        if now > expires_at {
            return Err(SigError::Expired {
                expired_at: expires_at,
            });
        }
        if doc.userbuf.is_some() {
            // PrivateMapKey tickets (userbuf) grant room privileges, which
            // this server does not use; a login ticket has none.
            return Err(SigError::Malformed(
                "a userbuf ticket is not a login ticket",
            ));
        }
        let claimed = STANDARD
            .decode(doc.sig.as_bytes())
            .map_err(|_| SigError::Malformed("TLS.sig is not base64"))?;
        self.mac(&doc.identifier, doc.time, doc.expire, None)
            .verify_slice(&claimed)
            .map_err(|_| SigError::BadSignature)?;
        Ok(Ticket {
            issued_at: doc.time,
            expires_at,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const APP: u64 = 1_400_000_000;
    const KEY: &str = "5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e";
    /// The known-answer vector of the spec (§4.3), made by Tencent's
    /// `tls-sig-api-v2` 1.1 package.
    const KAT: &str = "eJyrVgrxCdYrSy1SslJQMtIzUNJRAItkpqTmlWSmZUIkKjIT87NK82CSxSnZiQUFmSlAKUMTAyiAyqVWFGQWpQJlLMxM4IIlmbkgIUNzNMXFmekg44P93EzccsOcA0qT8yOKnfwLksLcjNPcnNNMzb0Ccg1Sq6IMs1LDPH1ywpJtlWoBk68y0A__";

    fn key() -> SigKey {
        SigKey::new(APP, KEY)
    }

    /// Packs a document the way a generator would, at a zlib level.
    fn pack(json: &str, level: u32) -> String {
        let mut zlib = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::new(level));
        std::io::Write::write_all(&mut zlib, json.as_bytes()).unwrap();
        tencent_encode(&zlib.finish().unwrap())
    }

    fn doc_json(
        identifier: &str,
        app: u64,
        time: i64,
        expire: i64,
        sig: &str,
        spaced: bool,
    ) -> String {
        let (colon, comma) = if spaced { (": ", ", ") } else { (":", ",") };
        format!(
            "{{\"TLS.ver\"{colon}\"2.0\"{comma}\"TLS.identifier\"{colon}\"{identifier}\"{comma}\"TLS.sdkappid\"{colon}{app}{comma}\"TLS.expire\"{colon}{expire}{comma}\"TLS.time\"{colon}{time}{comma}\"TLS.sig\"{colon}\"{sig}\"}}"
        )
    }

    #[test]
    fn test_the_known_answer_vector_verifies_until_it_expires() {
        let ticket = key().verify("xiaojun", KAT, 1_700_086_400).unwrap();
        assert_eq!(ticket.expires_at, 1_700_086_400);
        assert_eq!(
            key()
                .verify("xiaojun", KAT, 1_700_086_401)
                .unwrap_err()
                .code(),
            70001
        );
    }

    #[test]
    fn test_the_known_answer_signature_is_recomputed_exactly() {
        let sig = STANDARD.encode(
            key()
                .mac("xiaojun", 1_700_000_000, 86_400, None)
                .finalize()
                .into_bytes(),
        );
        assert_eq!(sig, "SNF4FmVCPucoXsBOpbVF3fFCf57JPm0ezZ1jeVILlVc=");
    }

    #[test]
    fn test_generated_tickets_verify_at_every_zlib_level_and_spacing() {
        let sig = "SNF4FmVCPucoXsBOpbVF3fFCf57JPm0ezZ1jeVILlVc=";
        for level in [0, 6, 9] {
            for spaced in [false, true] {
                let ticket = pack(
                    &doc_json("xiaojun", APP, 1_700_000_000, 86_400, sig, spaced),
                    level,
                );
                assert!(
                    key().verify("xiaojun", &ticket, 1_700_000_100).is_ok(),
                    "level {level}"
                );
            }
        }
        let own = key().generate("alice", 1_800_000_000, DEFAULT_EXPIRE_SECS);
        assert_eq!(
            key()
                .verify("alice", &own, 1_800_000_000)
                .unwrap()
                .expires_at,
            1_800_000_000 + DEFAULT_EXPIRE_SECS
        );
    }

    #[test]
    fn test_the_negative_matrix_maps_to_tencent_codes() {
        let now = 1_700_000_100;
        let good_sig = "SNF4FmVCPucoXsBOpbVF3fFCf57JPm0ezZ1jeVILlVc=";
        let code = |key: &SigKey, user: &str, ticket: &str| {
            key.verify(user, ticket, now).unwrap_err().code()
        };
        // Wrong key, app, user.
        assert_eq!(
            code(&SigKey::new(APP, "another key"), "xiaojun", KAT),
            70009
        );
        assert_eq!(code(&SigKey::new(APP + 1, KEY), "xiaojun", KAT), 70014);
        assert_eq!(code(&key(), "xiaojun2", KAT), 70013);
        // Expired: issued an hour ago with a 4-second lifetime (Tencent's own test).
        let short = key().generate("u", now - 3600, 4);
        assert_eq!(code(&key(), "u", &short), 70001);
        // Garbage, bad alphabet, truncation, not zlib.
        for ticket in [
            "",
            "%%%%",
            "eJyrVgrxCdYrSy1SslJQMtIzUNJRAItk",
            "aGVsbG8gd29ybGQ_",
            &"A".repeat(3000),
        ] {
            assert_eq!(code(&key(), "xiaojun", ticket), 70003, "{ticket:.20}");
        }
        let standard_alphabet = KAT.replace('_', "=");
        assert_ne!(standard_alphabet, KAT);
        assert_eq!(code(&key(), "xiaojun", &standard_alphabet), 70003);
        // JSON type errors, wrong version, ranges, overflow, userbuf.
        let cases = [
            r#"{"TLS.ver":"2.0","TLS.identifier":"xiaojun","TLS.sdkappid":"1400000000","TLS.expire":86400,"TLS.time":1700000000,"TLS.sig":"x"}"#.to_owned(),
            doc_json("xiaojun", APP, 1_700_000_000, 86_400, good_sig, false).replace("2.0", "1.0"),
            doc_json("xiaojun", APP, 1_700_000_000, -1, good_sig, false),
            doc_json("xiaojun", APP, 1_700_000_000, MAX_EXPIRE_SECS + 1, good_sig, false),
            doc_json("xiaojun", APP, now + MAX_CLOCK_SKEW_SECS + 1, 86_400, good_sig, false),
            doc_json("xiaojun", APP, i64::MAX - 10, 86_400, good_sig, false),
            doc_json("xiaojun", APP, 1_700_000_000, 86_400, good_sig, false)
                .replace('}', r#","TLS.userbuf":"AAAA"}"#),
            "not json".to_owned(),
        ];
        for json in &cases {
            assert_eq!(code(&key(), "xiaojun", &pack(json, 6)), 70003, "{json}");
        }
    }

    #[test]
    fn test_a_zlib_bomb_is_refused_without_inflating_it() {
        let padding = " ".repeat(1 << 20);
        let json = doc_json("xiaojun", APP, 1_700_000_000, 86_400, "x", false).replacen(
            '{',
            &format!("{{{padding}"),
            1,
        );
        let ticket = pack(&json, 9);
        assert!(
            ticket.len() < MAX_USER_SIG_CHARS,
            "the bomb fits the input cap"
        );
        assert_eq!(
            key().verify("xiaojun", &ticket, 1_700_000_100),
            Err(SigError::Malformed("decompresses to too much"))
        );
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]
        /// Flipping any bit of a valid ticket never yields another
        /// accepted ticket unless the decoded document is the same.
        #[test]
        fn test_a_flipped_bit_is_never_accepted(index in 0usize..KAT.len(), bit in 0u8..7) {
            let mut bytes = KAT.as_bytes().to_vec();
            bytes[index] ^= 1 << bit;
            if let Ok(mutated) = String::from_utf8(bytes)
                && let Ok(ticket) = key().verify("xiaojun", &mutated, 1_700_000_100) {
                    // Only a re-encoding of the same document may pass
                    // (e.g. a flip in ignored padding).
                    proptest::prop_assert_eq!(ticket.expires_at, 1_700_086_400);
                    let decoded = tencent_decode(&mutated).unwrap();
                    let original = tencent_decode(KAT).unwrap();
                    let inflate = |b: &[u8]| {
                        let mut out = Vec::new();
                        flate2::read::ZlibDecoder::new(b).read_to_end(&mut out).unwrap();
                        out
                    };
                    proptest::prop_assert_eq!(inflate(&decoded), inflate(&original));
                }
        }
    }
}
