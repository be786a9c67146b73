//! The reference server as other crates' tests use it (feature
//! `testing`): on 127.0.0.1, a port the system picks, its data in a
//! temporary folder, on a runtime of its own, stopped when dropped.

use crate::{Server, ServerConfig, SigKey};

/// A running server for a test.
#[derive(Debug)]
pub struct TestServer {
    /// `http://127.0.0.1:<port>`.
    pub url: String,
    /// The runtime the server runs on; tests may run their own clients on it.
    pub runtime: tokio::runtime::Runtime,
    /// The temporary folder: the server's data is in `server/`; tests may
    /// put their clients' data beside it.
    pub dir: tempfile::TempDir,
    key: SigKey,
    server: Option<Server>,
}

impl TestServer {
    /// Starts a server for `sdk_app_id` with the UserSig key `secret`.
    ///
    /// # Panics
    /// When the runtime, the folder or the server cannot be made: a test
    /// cannot go on without them.
    pub fn start(sdk_app_id: u64, secret: &str) -> TestServer {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a test runtime");
        let dir = tempfile::tempdir().expect("a temporary folder");
        let config = ServerConfig::new(
            std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
            dir.path().join("server"),
            sdk_app_id,
            secret,
        );
        let server = runtime
            .block_on(Server::start(config))
            .expect("the test server starts");
        TestServer {
            url: server.url(),
            runtime,
            dir,
            key: SigKey::new(sdk_app_id, secret),
            server: Some(server),
        }
    }

    /// A UserSig for `user`, valid for a day.
    pub fn user_sig(&self, user: &str) -> String {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64);
        self.key.generate(user, now, 86_400)
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(server) = self.server.take() {
            self.runtime.block_on(server.stop());
        }
    }
}
