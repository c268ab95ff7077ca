//! A Unix mailbox (mboxrd) that messages are appended to: where email goes when no SMTP
//! server is configured. Any mail client opens it (`mutt -f <file>`).
//!
//! Each message is one `write` on a file opened for appending, so messages from concurrent
//! deliveries never interleave. A message's lines that look like a separator (`From `, after
//! any number of `>`) get one more `>`, which [`messages`] takes off again: mboxrd, the
//! variant that reads back exactly what was written.
//!
//! Delivery is at least once, as over SMTP: a message whose delivery was not recorded (a
//! crash, the per-message deadline) is appended again later, with the same Message-ID.

use std::fs::OpenOptions;
use std::io::{ErrorKind, Write};
use std::path::Path;

/// The separator line every message starts with (the sender and date are conventional; the
/// message's own headers carry the real ones).
const SEPARATOR: &str = "From MAILER-DAEMON Thu Jan  1 00:00:00 1970\n";

/// Appends `message` (as lettre formats it, lines ending in CRLF) to the mailbox at `path`,
/// creating the mailbox and its directory if need be.
///
/// A record after the first starts with an empty line: should a write have stopped halfway
/// (a full disk), the next separator still begins a line of its own, and the cut message
/// stays one message (whose delivery was not recorded, so it is sent again whole).
pub fn append(path: &Path, message: &[u8]) -> std::io::Result<()> {
    let open = || OpenOptions::new().create(true).append(true).open(path);
    let mut file = match open() {
        Err(e) if e.kind() == ErrorKind::NotFound => {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)?;
            }
            open()?
        }
        other => other?,
    };
    let mut text = if file.metadata()?.len() > 0 {
        "\n".to_string()
    } else {
        String::new()
    };
    text.push_str(&record(&String::from_utf8_lossy(message)));
    file.write_all(text.as_bytes())
}

/// `message` as a mailbox record: the separator, its lines with Unix endings and separators
/// quoted, and the blank line that ends it.
fn record(message: &str) -> String {
    let mut record = String::with_capacity(SEPARATOR.len() + message.len() + 16);
    record.push_str(SEPARATOR);
    for line in message.trim_end_matches("\r\n").split("\r\n") {
        if line.trim_start_matches('>').starts_with("From ") {
            record.push('>');
        }
        record.push_str(line);
        record.push('\n');
    }
    record.push('\n');
    record
}

/// The messages of a mailbox's text, in order, as written (lines joined by `\n`). For whoever
/// reads a mailbox back: the tests, a support script.
pub fn messages(mailbox: &str) -> Vec<String> {
    let mut messages: Vec<Vec<&str>> = Vec::new();
    for line in mailbox.lines() {
        if line.starts_with("From ") {
            messages.push(Vec::new());
        } else if let Some(message) = messages.last_mut() {
            let unquoted = match line.strip_prefix('>') {
                Some(rest) if rest.trim_start_matches('>').starts_with("From ") => rest,
                _ => line,
            };
            message.push(unquoted);
        }
    }
    messages
        .into_iter()
        .map(|mut lines| {
            // The blank lines that end a record are the mailbox's: a message is written
            // without trailing empty lines.
            while lines.last() == Some(&"") {
                lines.pop();
            }
            lines.join("\n")
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn messages_read_back_as_written_whatever_their_lines_look_like() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("mail").join("2026-11-11.mbox");
        let first = "Subject: one\r\n\r\nFrom here on\r\n>From quoted\r\n\r\nend\r\n";
        let second = "Subject: two\r\n\r\n>>From deep\r\nFromage\r\n";
        append(&path, first.as_bytes()).unwrap();
        append(&path, second.as_bytes()).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text.matches("\nFrom ").count() + 1, 2, "{text}");
        assert!(text.contains("\n>From here on\n>>From quoted\n"), "{text}");
        assert!(text.contains("\n>>>From deep\nFromage\n"), "{text}");
        assert_eq!(
            messages(&text),
            [
                "Subject: one\n\nFrom here on\n>From quoted\n\nend",
                "Subject: two\n\n>>From deep\nFromage",
            ]
        );
    }

    #[test]
    fn a_record_cut_short_stays_one_message_and_the_next_still_reads() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("day.mbox");
        append(&path, b"Subject: whole\r\n\r\nbody\r\n").unwrap();
        // What a write stopped by a full disk leaves: part of a record, no line end.
        let mut file = OpenOptions::new().append(true).open(&path).unwrap();
        file.write_all(b"\nFrom MAILER-DAEMON Thu Jan  1 00:00:00 1970\nSubject: cut\n\nhal")
            .unwrap();
        append(&path, b"Subject: next\r\n\r\nafter\r\n").unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.starts_with("From "), "{text}");
        assert_eq!(
            messages(&text),
            [
                "Subject: whole\n\nbody",
                "Subject: cut\n\nhal",
                "Subject: next\n\nafter"
            ]
        );
    }

    #[test]
    fn concurrent_appends_never_interleave() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("day.mbox");
        let threads: Vec<_> = (0..8)
            .map(|t| {
                let path = path.clone();
                std::thread::spawn(move || {
                    for n in 0..50 {
                        let body = format!("Subject: {t}-{n}\r\n\r\n{}\r\n", "x".repeat(4000));
                        append(&path, body.as_bytes()).unwrap();
                    }
                })
            })
            .collect();
        for thread in threads {
            thread.join().unwrap();
        }
        let all = messages(&std::fs::read_to_string(&path).unwrap());
        assert_eq!(all.len(), 400);
        for message in &all {
            let (subject, body) = message.split_once("\n\n").unwrap();
            assert!(subject.starts_with("Subject: "), "{subject}");
            assert_eq!(body, "x".repeat(4000));
        }
    }
}
