//! Building and running the server: connect, migrate, ensure the tree's root, optionally load the
//! demo, bind, serve until a shutdown signal, then drain requests and close the pool.

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::TcpListener;

use crate::attendance::CheckinDesk;
use crate::config::Config;
use crate::db::Db;
use crate::error::{Error, Result};
use crate::web::{self, AppState};
use crate::{demo, org};

/// A server ready to run: the listener is already bound (port 0 picks a free one).
pub struct App {
    pub addr: SocketAddr,
    pub db: Db,
    /// The check-in desk the server writes QR check-ins through.
    pub desk: Arc<CheckinDesk>,
    listener: TcpListener,
    router: axum::Router,
    /// Marks the SQLite database as in use while the server runs (a restore waits for it to stop).
    in_use: Option<crate::db::InUse>,
}

impl App {
    /// Prepares the database and binds the listener.
    pub async fn build(config: Config, load_demo: bool) -> Result<App> {
        if config.database_url.is_none() {
            config.prepare_data_dir()?;
        }
        let db = Db::connect(&config.effective_database_url()).await?;
        App::build_with_db(config, db, load_demo).await
    }

    /// Same, on an already connected database (tests use a fresh one each).
    pub async fn build_with_db(config: Config, db: Db, load_demo: bool) -> Result<App> {
        let in_use = db.claim()?;
        db.migrate().await?;
        org::ensure_root(&db).await?;
        if load_demo {
            demo::load_if_empty(&db, &demo::DemoOptions::default()).await?;
        }
        let listener = TcpListener::bind((config.bind, config.port))
            .await
            .map_err(|e| {
                Error::Config(format!(
                    "port: 无法监听 {}:{}(端口可能已被占用)· cannot listen: {e}",
                    config.bind, config.port
                ))
            })?;
        let addr = listener
            .local_addr()
            .map_err(|e| Error::internal_from("listener address", e))?;
        let desk = CheckinDesk::start(db.clone())?;
        let router = web::router(AppState {
            health: Default::default(),
            desk: desk.clone(),
            db: db.clone(),
            config: Arc::new(config),
        });
        Ok(App {
            addr,
            db,
            desk,
            listener,
            router,
            in_use,
        })
    }

    /// Serves until `shutdown` resolves, lets requests in flight finish, closes the database.
    pub async fn run_until(
        self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> Result<()> {
        let service = self
            .router
            .into_make_service_with_connect_info::<SocketAddr>();
        axum::serve(self.listener, service)
            .with_graceful_shutdown(shutdown)
            .await
            .map_err(|e| Error::internal_from("server", e))?;
        self.db.close().await;
        drop(self.in_use);
        Ok(())
    }
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutdown requested: finishing requests in flight");
}
