//! A small SMTP server for the end-to-end tests: a tokio listener on 127.0.0.1 that speaks
//! enough SMTP for lettre (EHLO/HELO, MAIL FROM, RCPT TO, DATA, RSET, NOOP, QUIT), records
//! what it accepts, and can be told to defer (451), to refuse service (421) or to go away
//! entirely (connection refused) and come back on the same port.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use api::config::Config;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::{AbortHandle, JoinHandle};

/// How the server answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Accepts every message.
    Accept,
    /// Answers `MAIL FROM` with `451`: a transient failure, the client should retry later.
    Defer,
    /// Greets with `421` and hangs up.
    Unavailable,
}

/// One accepted message.
#[derive(Debug, Clone)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    /// The message as sent after `DATA`, dot-unstuffed, lines joined with `\r\n`.
    pub data: String,
}

impl Received {
    /// The value of the first header `name` (case-insensitive), unfolded.
    pub fn header(&self, name: &str) -> Option<String> {
        let head = self.data.split("\r\n\r\n").next()?;
        let mut value: Option<String> = None;
        for line in head.split("\r\n") {
            match (&mut value, line.starts_with([' ', '\t'])) {
                (Some(v), true) => v.push_str(line),
                (Some(_), false) => break,
                (None, _) => {
                    if let Some((key, rest)) = line.split_once(':') {
                        if key.eq_ignore_ascii_case(name) {
                            value = Some(rest.trim().to_string());
                        }
                    }
                }
            }
        }
        value
    }
}

#[derive(Debug)]
struct Shared {
    mode: Mode,
    received: Vec<Received>,
    connections: Vec<AbortHandle>,
}

pub struct SmtpServer {
    port: u16,
    shared: Arc<Mutex<Shared>>,
    acceptor: Mutex<Option<JoinHandle<()>>>,
}

impl SmtpServer {
    /// Listens on a free port of 127.0.0.1, accepting mail.
    pub async fn start() -> SmtpServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let server = SmtpServer {
            port,
            shared: Arc::new(Mutex::new(Shared {
                mode: Mode::Accept,
                received: Vec::new(),
                connections: Vec::new(),
            })),
            acceptor: Mutex::new(None),
        };
        server.serve(listener);
        server
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Points `config` at this server (plain SMTP, no TLS).
    pub fn configure(&self, config: &mut Config) {
        config.smtp.host = Some("127.0.0.1".into());
        config.smtp.port = self.port;
        config.smtp.tls = "none".into();
    }

    pub fn set_mode(&self, mode: Mode) {
        self.lock().mode = mode;
    }

    /// Closes the listener and every open connection: connections are refused until
    /// [`SmtpServer::resume`].
    pub async fn stop(&self) {
        let acceptor = self.acceptor.lock().unwrap().take();
        if let Some(task) = acceptor {
            task.abort();
            // Waiting for the aborted task means the listener is closed when this returns.
            let _ = task.await;
        }
        for connection in self.lock().connections.drain(..) {
            connection.abort();
        }
    }

    /// Listens again on the same port.
    pub async fn resume(&self) {
        let address = format!("127.0.0.1:{}", self.port);
        let listener = TcpListener::bind(&address).await.unwrap();
        self.serve(listener);
    }

    /// Every message accepted so far.
    pub fn received(&self) -> Vec<Received> {
        self.lock().received.clone()
    }

    /// The messages accepted so far for `recipient`.
    pub fn received_for(&self, recipient: &str) -> Vec<Received> {
        self.received()
            .into_iter()
            .filter(|m| m.to.iter().any(|to| to == recipient))
            .collect()
    }

    /// Waits (up to ten seconds) until at least `count` messages for `recipient` arrived.
    pub async fn wait_for(&self, recipient: &str, count: usize) -> Vec<Received> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            let got = self.received_for(recipient);
            if got.len() >= count {
                return got;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "{count} message(s) for {recipient} never arrived; got {got:?}"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    fn lock(&self) -> MutexGuard<'_, Shared> {
        self.shared.lock().unwrap()
    }

    fn serve(&self, listener: TcpListener) {
        let shared = self.shared.clone();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let connection = tokio::spawn(converse(stream, shared.clone()));
                shared
                    .lock()
                    .unwrap()
                    .connections
                    .push(connection.abort_handle());
            }
        });
        *self.acceptor.lock().unwrap() = Some(task);
    }
}

/// One SMTP session. I/O errors end it quietly: the client hung up.
async fn converse(stream: TcpStream, shared: Arc<Mutex<Shared>>) {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read);
    let mode = || shared.lock().unwrap().mode;
    if mode() == Mode::Unavailable {
        let _ = write
            .write_all(b"421 4.3.2 service not available\r\n")
            .await;
        return;
    }
    if write
        .write_all(b"220 lendline-test ESMTP\r\n")
        .await
        .is_err()
    {
        return;
    }
    let mut from = String::new();
    let mut to = Vec::new();
    let mut line = String::new();
    loop {
        line.clear();
        match lines.read_line(&mut line).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let command = line.trim_end().to_string();
        let verb = command
            .split([' ', ':'])
            .next()
            .unwrap_or("")
            .to_ascii_uppercase();
        let reply: &[u8] = match verb.as_str() {
            "EHLO" => b"250-lendline-test\r\n250 8BITMIME\r\n",
            "HELO" | "NOOP" => b"250 OK\r\n",
            "RSET" => {
                from.clear();
                to.clear();
                b"250 OK\r\n"
            }
            "MAIL" if mode() == Mode::Defer => b"451 4.3.0 try again later\r\n",
            "MAIL" => {
                from = address(&command);
                to.clear();
                b"250 OK\r\n"
            }
            "RCPT" => {
                to.push(address(&command));
                b"250 OK\r\n"
            }
            "DATA" => {
                if write.write_all(b"354 end with .\r\n").await.is_err() {
                    return;
                }
                let Some(data) = read_data(&mut lines).await else {
                    return;
                };
                shared.lock().unwrap().received.push(Received {
                    from: std::mem::take(&mut from),
                    to: std::mem::take(&mut to),
                    data,
                });
                b"250 OK queued\r\n"
            }
            "QUIT" => {
                let _ = write.write_all(b"221 bye\r\n").await;
                return;
            }
            _ => b"502 5.5.2 command not recognized\r\n",
        };
        if write.write_all(reply).await.is_err() {
            return;
        }
    }
}

/// The address between `<` and `>` in `MAIL FROM:<a@b> …` or `RCPT TO:<a@b>`.
fn address(command: &str) -> String {
    command
        .split_once('<')
        .and_then(|(_, rest)| rest.split_once('>'))
        .map(|(address, _)| address.to_string())
        .unwrap_or_default()
}

/// Reads the message up to the lone `.` line, undoing dot-stuffing.
async fn read_data(lines: &mut BufReader<tokio::net::tcp::OwnedReadHalf>) -> Option<String> {
    let mut data = Vec::new();
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line).await.ok()? == 0 {
            return None;
        }
        let text = line.trim_end_matches(['\r', '\n']);
        if text == "." {
            return Some(data.join("\r\n"));
        }
        data.push(text.strip_prefix('.').unwrap_or(text).to_string());
    }
}
