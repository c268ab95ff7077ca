//! Progress of long command-line jobs (`lendline eod`, `scoring train`, `migrate`): a bar on a
//! terminal (indicatif), plain periodic lines otherwise, so a log file or CI output still shows
//! that the job is alive and where it is. Always on stderr: stdout keeps the job's result.

use std::io::{IsTerminal, Write};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};

/// How often a job without a terminal says it is still running.
pub const PLAIN_EVERY: Duration = Duration::from_secs(5);

type Sink = Arc<Mutex<dyn Write + Send>>;

struct State {
    label: String,
    position: u64,
    total: Option<u64>,
    message: String,
    started: Instant,
}

impl State {
    fn line(&self) -> String {
        let count = self
            .total
            .map(|t| format!(", step {}/{t}", self.position))
            .unwrap_or_default();
        format!(
            "{}: {} ({} s{count})",
            self.label,
            self.message,
            self.started.elapsed().as_secs()
        )
    }
}

enum Mode {
    Bar(ProgressBar),
    Plain {
        state: Arc<Mutex<State>>,
        sink: Sink,
        stop: mpsc::Sender<()>,
        ticker: JoinHandle<()>,
    },
}

pub struct Progress {
    mode: Mode,
}

impl Progress {
    /// A job of `total` steps (a spinner when unknown), drawn as fits stderr.
    pub fn new(label: &str, total: Option<u64>) -> Progress {
        if std::io::stderr().is_terminal() {
            Progress::bar(label, total)
        } else {
            Progress::plain(
                label,
                total,
                Arc::new(Mutex::new(std::io::stderr())),
                PLAIN_EVERY,
            )
        }
    }

    fn bar(label: &str, total: Option<u64>) -> Progress {
        let bar = match total {
            Some(n) => ProgressBar::new(n).with_style(
                ProgressStyle::with_template("{prefix} [{bar:30}] {pos}/{len} {msg} ({elapsed})")
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> "),
            ),
            None => ProgressBar::new_spinner().with_style(
                ProgressStyle::with_template("{prefix} {spinner} {msg} ({elapsed})")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            ),
        };
        bar.set_prefix(label.to_string());
        bar.enable_steady_tick(Duration::from_millis(120));
        Progress {
            mode: Mode::Bar(bar),
        }
    }

    /// Lines to `sink`: one per step, and one every `every` while nothing else is said.
    pub fn plain(label: &str, total: Option<u64>, sink: Sink, every: Duration) -> Progress {
        let state = Arc::new(Mutex::new(State {
            label: label.to_string(),
            position: 0,
            total,
            message: "started".into(),
            started: Instant::now(),
        }));
        let (stop, stopped) = mpsc::channel::<()>();
        let (ticking, out) = (state.clone(), sink.clone());
        let ticker = std::thread::spawn(move || {
            while let Err(RecvTimeoutError::Timeout) = stopped.recv_timeout(every) {
                let line = ticking.lock().map(|s| s.line()).unwrap_or_default();
                write_line(&out, &line);
            }
        });
        Progress {
            mode: Mode::Plain {
                state,
                sink,
                stop,
                ticker,
            },
        }
    }

    /// Starts the next step, described by `message`.
    pub fn step(&self, message: &str) {
        match &self.mode {
            Mode::Bar(bar) => {
                bar.inc(1);
                bar.set_message(message.to_string());
            }
            Mode::Plain { state, sink, .. } => {
                let line = state.lock().map(|mut s| {
                    s.position += 1;
                    s.message = message.to_string();
                    s.line()
                });
                write_line(sink, &line.unwrap_or_default());
            }
        }
    }

    /// Ends the display with `message` (the job's result still goes to stdout).
    pub fn finish(self, message: &str) {
        match self.mode {
            Mode::Bar(bar) => bar.finish_with_message(message.to_string()),
            Mode::Plain {
                state,
                sink,
                stop,
                ticker,
            } => {
                let _ = stop.send(());
                let _ = ticker.join();
                let line = state.lock().map(|mut s| {
                    s.message = message.to_string();
                    s.line()
                });
                write_line(&sink, &line.unwrap_or_default());
            }
        }
    }
}

fn write_line(sink: &Sink, line: &str) {
    if let Ok(mut out) = sink.lock() {
        // Progress is a courtesy: a closed stderr must not fail the job.
        let _ = writeln!(out, "{line}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_a_terminal_progress_is_plain_lines_per_step_and_while_waiting() {
        let buffer = Arc::new(Mutex::new(Vec::<u8>::new()));
        let progress = Progress::plain(
            "migrate",
            Some(2),
            buffer.clone(),
            Duration::from_millis(20),
        );
        progress.step("first");
        std::thread::sleep(Duration::from_millis(120));
        progress.step("second");
        progress.finish("done");
        let text = String::from_utf8(buffer.lock().unwrap().clone()).unwrap();
        assert!(text.contains("migrate: first (0 s, step 1/2)"), "{text}");
        assert!(text.contains("migrate: second"), "{text}");
        assert!(
            text.lines().last().unwrap().starts_with("migrate: done"),
            "{text}"
        );
        // The ticker said "still here" between the steps.
        assert!(text.matches("migrate: first").count() >= 2, "{text}");
    }
}
