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
