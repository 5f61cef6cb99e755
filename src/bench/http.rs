//! The load generator's side of HTTP: a keep-alive connection written by hand so that the two
//! cores go to the server, not to the client.

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::error::{Error, Result};

fn io(e: std::io::Error) -> Error {
    Error::internal_from("http", e)
}

/// A keep-alive HTTP/1.1 connection that sends one request at a time (the client side kept minimal
/// — no allocation per request — so the two cores go to the server).
pub struct Conn {
    stream: TcpStream,
    host: String,
    req: Vec<u8>,
    buf: Vec<u8>,
}

impl Conn {
    pub async fn open(addr: std::net::SocketAddr) -> Result<Conn> {
        let stream = TcpStream::connect(addr)
            .await
            .map_err(|e| Error::internal_from("connect", e))?;
        stream.set_nodelay(true).ok();
        Ok(Conn {
            stream,
            host: addr.to_string(),
            req: Vec::with_capacity(512),
            buf: Vec::with_capacity(4096),
        })
    }

    /// POSTs a JSON body and returns (status, body).
    pub async fn post(&mut self, path: &str, body: &[u8]) -> Result<(u16, &[u8])> {
        use std::io::Write;
        self.req.clear();
        write!(
            self.req,
            "POST {path} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            self.host,
            body.len()
        )
        .map_err(io)?;
        self.req.extend_from_slice(body);
        self.exchange().await
    }

    /// GETs a path, with a bearer token when given, and returns (status, body).
    pub async fn get(&mut self, path: &str, bearer: Option<&str>) -> Result<(u16, &[u8])> {
        use std::io::Write;
        self.req.clear();
        write!(self.req, "GET {path} HTTP/1.1\r\nHost: {}\r\n", self.host).map_err(io)?;
        if let Some(t) = bearer {
            write!(self.req, "Authorization: Bearer {t}\r\n").map_err(io)?;
        }
        self.req.extend_from_slice(b"\r\n");
        self.exchange().await
    }

    /// Sends the request written in `req` and reads one answer.
    async fn exchange(&mut self) -> Result<(u16, &[u8])> {
        self.stream.write_all(&self.req).await.map_err(io)?;
        self.buf.clear();
        let mut scanned: usize = 0;
        let head_end = loop {
            if let Some(p) = find(&self.buf[scanned.saturating_sub(3)..], b"\r\n\r\n") {
                break scanned.saturating_sub(3) + p + 4;
            }
            scanned = self.buf.len();
            if self.stream.read_buf(&mut self.buf).await.map_err(io)? == 0 {
                return Err(Error::internal("connection closed"));
            }
        };
        let head = &self.buf[..head_end];
        let status = head
            .get(9..12)
            .and_then(|s| std::str::from_utf8(s).ok())
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let length = head
            .split(|b| *b == b'\n')
            .find_map(|line| {
                let (k, v) = line.split_at(line.iter().position(|b| *b == b':')?);
                k.eq_ignore_ascii_case(b"content-length")
                    .then(|| std::str::from_utf8(&v[1..]).ok()?.trim().parse().ok())?
            })
            .unwrap_or(0);
        while self.buf.len() < head_end + length {
            if self.stream.read_buf(&mut self.buf).await.map_err(io)? == 0 {
                return Err(Error::internal("connection closed"));
            }
        }
        Ok((status, &self.buf[head_end..head_end + length]))
    }
}

/// Where `needle` first occurs in `hay`.
pub fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// The real server on loopback over a benchmark's database, stopped by [`Served::stop`].
pub struct Served {
    pub addr: std::net::SocketAddr,
    stop: tokio::sync::oneshot::Sender<()>,
    server: tokio::task::JoinHandle<Result<()>>,
}

/// Starts the real server on a free port of loopback over `db`.
pub async fn serve(db: &crate::db::Db, work_dir: &std::path::Path) -> Result<Served> {
    let config = crate::config::Config {
        port: 0,
        data_dir: work_dir.to_path_buf(),
        ..crate::config::Config::default()
    };
    let app = crate::app::App::build_with_db(config, db.clone(), false).await?;
    let addr = app.addr;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(app.run_until(async {
        let _ = stopped.await;
    }));
    Ok(Served { addr, stop, server })
}

impl Served {
    /// Stops the server and waits for it.
    pub async fn stop(self) {
        let _ = self.stop.send(());
        let _ = self.server.await;
    }
}

/// `runs` GETs of a path on one connection, each answered 200; their times, sorted.
pub async fn timed(
    conn: &mut Conn,
    path: &str,
    token: &str,
    runs: usize,
) -> Result<Vec<std::time::Duration>> {
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = std::time::Instant::now();
        let (status, body) = conn.get(path, Some(token)).await?;
        if status != 200 {
            return Err(Error::internal(format!(
                "{path}: {status} {}",
                String::from_utf8_lossy(&body[..body.len().min(300)])
            )));
        }
        times.push(t.elapsed());
    }
    times.sort();
    Ok(times)
}
