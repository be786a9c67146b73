//! The route table: path → decode the JSON body, authenticate, call one
//! service method, encode the answer.

use std::net::SocketAddr;
use std::sync::Arc;

use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use hyper::header::{AUTHORIZATION, CONTENT_LENGTH};
use hyper::{Method, Request, Response};
use im_model::group::{GroupBaseInfo, GroupSelfInfo};
use im_model::wire::MergedRequest;
use im_model::wire::http::{
    CursorAnswer, GroupIdsRequest, GroupRequest, LoginBody, MergedAnswer, ProfilesAnswer,
    ProfilesRequest, path,
};
use im_model::{ErrorCode, ImError, ImResult};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::{Body, Shared, files, full, push, web};
use crate::codes;
use crate::service::Caller;

/// Whether a path streams (no request timeout applies).
pub(super) fn is_streaming(path: &str) -> bool {
    path == path::EVENT_STREAM || path.starts_with(path::FILES_PREFIX) || path == path::UPLOAD
}

fn json_answer<T: Serialize>(value: &T) -> ImResult<Response<Body>> {
    let bytes = serde_json::to_vec(value).map_err(codes::internal)?;
    let mut response = Response::new(full(bytes));
    response.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("application/json"),
    );
    Ok(response)
}

/// Reads a JSON body of at most `max` bytes: refused from its declared
/// length before reading, cut off while reading when it lies.
async fn read_json<T: DeserializeOwned>(request: Request<Incoming>, max: usize) -> ImResult<T> {
    let too_large = || {
        codes::server(
            codes::BODY_SIZE_LIMIT,
            format!("the body is over {max} bytes"),
        )
    };
    let declared = request
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > max as u64) {
        return Err(too_large());
    }
    let bytes = Limited::new(request.into_body(), max)
        .collect()
        .await
        .map_err(|e| {
            if e.is::<http_body_util::LengthLimitError>() {
                too_large()
            } else {
                ImError::new(
                    ErrorCode::NetDisconnect,
                    format!("the body could not be read: {e}"),
                )
            }
        })?
        .to_bytes();
    serde_json::from_slice(&bytes).map_err(|e| {
        ImError::new(
            ErrorCode::InvalidJson,
            format!("the body is not the expected JSON: {e}"),
        )
    })
}

/// The address of the client behind a request: the peer, unless the peer
/// is a trusted proxy (a load balancer), then the nearest address in
/// `X-Forwarded-For` that is not one (the proxies append to the right;
/// what is left of the first untrusted hop could be forged).
fn client_ip(
    request: &Request<Incoming>,
    peer: std::net::IpAddr,
    trusted: &[std::net::IpAddr],
) -> std::net::IpAddr {
    let forwarded = request
        .headers()
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect::<Vec<_>>()
        .join(",");
    forwarded_client(peer, &forwarded, trusted)
}

fn forwarded_client(
    peer: std::net::IpAddr,
    forwarded: &str,
    trusted: &[std::net::IpAddr],
) -> std::net::IpAddr {
    let mut client = peer;
    for hop in forwarded.rsplit(',') {
        if !trusted.contains(&client) {
            break;
        }
        match hop.trim().parse() {
            Ok(ip) => client = ip,
            Err(_) => break,
        }
    }
    client
}

/// The bearer token of a request.
fn token(request: &Request<Incoming>) -> ImResult<String> {
    request
        .headers()
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .filter(|t| !t.is_empty() && t.len() <= 128)
        .map(str::to_owned)
        .ok_or_else(codes::not_logged_in)
}

/// The body limit of a batch send, above the general one: 500 receivers,
/// each with its copy's id (up to 128 bytes) and random, and the message
/// once (up to 12 KB of body) take about 130 KB at most.
const BATCH_SEND_MAX_BODY: usize = 256 * 1024;

/// Routes one request.
pub(super) async fn route(
    shared: Arc<Shared>,
    peer: SocketAddr,
    request: Request<Incoming>,
) -> ImResult<Response<Body>> {
    let path = request.uri().path().to_owned();
    let max = if path == path::BATCH_SEND {
        shared.limits.max_body.max(BATCH_SEND_MAX_BODY)
    } else {
        shared.limits.max_body
    };
    let service = &shared.service;
    if request.method() == Method::GET && path == path::TIME {
        return json_answer(&serde_json::json!({ "server_time": service.server_time() }));
    }
    if request.method() == Method::GET && path == path::HEALTH {
        service.health().await?;
        return json_answer(&serde_json::json!({ "status": "ok" }));
    }
    if request.method() == Method::GET && path == path::METRICS {
        let metrics = service.metrics();
        metrics.set_cached_sessions(service.hub().sessions.len());
        let mut response = Response::new(full(metrics.encode()));
        response.headers_mut().insert(
            hyper::header::CONTENT_TYPE,
            hyper::header::HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
        );
        return Ok(response);
    }
    if request.method() == Method::GET
        && let Some(file) = path.strip_prefix(path::WEB_PREFIX)
    {
        return web::serve(shared.web_dir.as_deref(), file).await;
    }
    // A file's link works by itself unless the deployment says otherwise:
    // its 128 random bits are the permission, as with Tencent's links, so
    // that an app can put it in an `<img>` or a plain link.
    if request.method() == Method::GET
        && !shared.files_need_login
        && let Some(id) = path.strip_prefix(path::FILES_PREFIX)
    {
        return files::download(&shared, id).await;
    }
    if request.method() == Method::POST && path == path::LOGIN {
        let client = client_ip(&request, peer.ip(), &shared.trusted_proxies);
        let body: LoginBody = read_json(request, max).await?;
        return json_answer(&service.login(body, client).await?);
    }
    let caller: Caller = service.authenticate(&token(&request)?).await?;
    if request.method() == Method::GET {
        if path == path::EVENT_STREAM {
            let cursor = request
                .uri()
                .query()
                .and_then(|q| q.split('&').find_map(|kv| kv.strip_prefix("cursor=")))
                .and_then(|c| c.parse::<u64>().ok())
                .unwrap_or(0);
            return Ok(push::open(shared.clone(), caller, cursor));
        }
        if let Some(id) = path.strip_prefix(path::FILES_PREFIX) {
            return files::download(&shared, id).await;
        }
        return Err(ImError::invalid_param(format!("no GET route {path}")));
    }
    if request.method() != Method::POST {
        return Err(ImError::invalid_param("only GET and POST are served"));
    }
    macro_rules! call {
        ($method:ident) => {{
            let body = read_json(request, max).await?;
            json_answer(&service.$method(&caller, body).await?)
        }};
        ($method:ident, cursor) => {{
            let body = read_json(request, max).await?;
            json_answer(&CursorAnswer {
                cursor: service.$method(&caller, body).await?,
            })
        }};
    }
    match path.as_str() {
        path::LOGOUT => json_answer(&service.logout(&caller).await?),
        path::UPDATE_CONVERSATIONS => call!(update_conversations, cursor),
        path::SNAPSHOT => json_answer(&service.snapshot(&caller).await?),
        path::SEND => call!(send),
        path::REVOKE => call!(revoke),
        path::REPORT_READ => call!(report_read),
        path::HISTORY => call!(history),
        path::EVENTS => call!(pull_events),
        path::BATCH_SEND => call!(batch_send),
        path::DELETE => call!(delete_messages),
        path::CLEAR_HISTORY => call!(clear_history),
        path::SET_RECEIVE_OPTION => call!(set_receive_option, cursor),
        path::C2C_RECEIVE_OPTIONS => call!(c2c_receive_options),
        path::SET_ALL_RECEIVE_OPTION => call!(set_all_receive_option),
        path::ALL_RECEIVE_OPTION => json_answer(&service.all_receive_option(&caller).await?),
        path::MERGED => {
            let body: MergedRequest = read_json(request, max).await?;
            json_answer(&MergedAnswer {
                messages: service.merged(&caller, &body.json_key).await?,
            })
        }
        path::MODIFY => call!(modify),
        path::SEND_RECEIPTS => call!(send_receipts),
        path::MESSAGE_RECEIPTS => call!(message_receipts),
        path::GROUP_CREATE => call!(create_group),
        path::GROUP_ADD => call!(add_members),
        path::GROUP_REMOVE => call!(remove_members),
        path::GROUP_MEMBERS => call!(members_page),
        path::GROUP_SET_ROLE => call!(set_role),
        path::GROUP_MEMBER_MODIFY => call!(modify_member),
        path::GROUP_JOIN => call!(join_group),
        path::GROUP_PENDENCIES => call!(pendencies),
        path::GROUP_PENDENCY_HANDLE => call!(handle_pendency),
        path::GROUP_PENDENCY_READ => call!(report_pendency_read),
        path::GROUP_JOINED => {
            json_answer(&joined_base_infos(service.joined_groups(&caller).await?))
        }
        path::GROUP_INFO => {
            let body: GroupIdsRequest = read_json(request, max).await?;
            json_answer(&service.group_infos(&caller, &body.group_ids).await?)
        }
        path::GROUP_MODIFY => call!(modify_group_info),
        path::GROUP_DISMISS => {
            let body: GroupRequest = read_json(request, max).await?;
            json_answer(&service.dismiss_group(&caller, &body.group_id).await?)
        }
        path::PROFILES => {
            let body: ProfilesRequest = read_json(request, max).await?;
            json_answer(&ProfilesAnswer {
                profiles: service.profiles(&body.users).await?,
            })
        }
        path::PROFILE_MODIFY => call!(modify_profile, cursor),
        path::UPLOAD => {
            let from_proxy = shared.trusted_proxies.contains(&peer.ip());
            files::upload(&shared, &caller, request, from_proxy).await
        }
        _ => Err(ImError::invalid_param(format!("no POST route {path}"))),
    }
}

/// The joined groups as `TIMGroupGetJoinedGroupList` lists them: what the
/// server knows (the device adds its read position and receive option).
fn joined_base_infos(groups: Vec<crate::store::JoinedGroup>) -> Vec<GroupBaseInfo> {
    groups
        .into_iter()
        .map(|g| GroupBaseInfo {
            group_id: g.info.group_id,
            group_name: g.info.group_name,
            group_type: g.info.group_type,
            face_url: g.info.face_url,
            info_seq: g.info.info_seq,
            latest_seq: g.info.next_msg_seq.map(|s| s.saturating_sub(1)),
            is_shutup_all: g.info.is_shutup_all,
            self_info: Some(GroupSelfInfo {
                join_time: Some(g.join_time),
                role: Some(g.role.value()),
                ..GroupSelfInfo::default()
            }),
            ..GroupBaseInfo::default()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::forwarded_client;

    #[test]
    fn test_forwarded_addresses_count_only_through_trusted_proxies() {
        let balancer: std::net::IpAddr = "10.0.0.9".parse().unwrap();
        let client: std::net::IpAddr = "203.0.113.7".parse().unwrap();
        let trusted = [balancer];
        // Through the balancer: the address it saw.
        assert_eq!(forwarded_client(balancer, "203.0.113.7", &trusted), client);
        // A forged entry left of it is not believed.
        assert_eq!(
            forwarded_client(balancer, "198.51.100.1, 203.0.113.7", &trusted),
            client
        );
        // Straight from a client: the header is ignored.
        assert_eq!(forwarded_client(client, "198.51.100.1", &trusted), client);
        // No trusted proxies: the peer.
        assert_eq!(forwarded_client(balancer, "203.0.113.7", &[]), balancer);
        // Garbage: the last good hop.
        assert_eq!(forwarded_client(balancer, "nonsense", &trusted), balancer);
    }
}
