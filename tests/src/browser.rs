//! A real browser for the console tests: Debian's chromium, headless, driven through its own
//! chromedriver on a loopback port with the WebDriver client fantoccini.
//!
//! Every wait is generous (a slow 2-core CI machine runs the server, PostgreSQL and the browser
//! at once) and polls for the state the test expects, never sleeps a fixed time.

use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};

/// How long any one expected state may take to appear.
pub const PATIENCE: Duration = Duration::from_secs(45);

pub struct Browser {
    pub client: Client,
    driver: Child,
    _profile: tempfile::TempDir,
}

use crate::free_port;

fn find_binary(names: &[&str]) -> String {
    for name in names {
        for dir in ["/usr/bin", "/usr/lib/chromium", "/usr/local/bin"] {
            let path = Path::new(dir).join(name);
            if path.exists() {
                return path.display().to_string();
            }
        }
    }
    panic!(
        "{names:?} not found: install Debian's chromium and chromium-driver \
         (apt-get install -y chromium chromium-driver; .ci/run does it when missing)"
    )
}

impl Browser {
    /// Starts chromedriver and a headless chromium with a fresh profile, at 1280×800.
    pub async fn start() -> Browser {
        let chromium = find_binary(&["chromium", "chromium-browser"]);
        let chromedriver = find_binary(&["chromedriver"]);
        let port = free_port();
        let driver = Command::new(chromedriver)
            .arg(format!("--port={port}"))
            // Its own process group, so stopping it also stops the chromium it started.
            .process_group(0)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let profile = tempfile::Builder::new()
            .prefix("lendline-chromium-")
            .tempdir()
            .expect("profile dir");
        // As root chromium needs --no-sandbox; the rest keeps it off the (closed) network and
        // quiet on a machine without a GPU.
        let args = vec![
            "--headless=new".to_string(),
            "--no-sandbox".into(),
            "--disable-gpu".into(),
            "--disable-quic".into(),
            "--no-first-run".into(),
            "--disable-background-networking".into(),
            "--disable-component-update".into(),
            "--disable-sync".into(),
            "--disable-dev-shm-usage".into(),
            "--window-size=1280,800".into(),
            format!("--user-data-dir={}", profile.path().display()),
        ];
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            json!({"binary": chromium, "args": args}),
        );
        let url = format!("http://127.0.0.1:{port}");
        // A first chromium start on a fresh machine builds its font cache: allow it minutes.
        let deadline = Instant::now() + Duration::from_secs(180);
        let client = loop {
            let connector = hyper_util::client::legacy::connect::HttpConnector::new();
            match ClientBuilder::new(connector)
                .capabilities(caps.clone())
                .connect(&url)
                .await
            {
                Ok(client) => break client,
                // chromedriver needs a moment to listen; chromium to start.
                Err(_) if Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(250)).await;
                }
                Err(e) => panic!("chromedriver on {url} did not start a session: {e}"),
            }
        };
        Browser {
            client,
            driver,
            _profile: profile,
        }
    }

    pub async fn goto(&self, url: &str) {
        self.client.goto(url).await.expect("navigate");
    }

    /// The first element matching `css`, once it exists.
    pub async fn find(&self, css: &str) -> Element {
        self.client
            .wait()
            .at_most(PATIENCE)
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no element {css} within {PATIENCE:?}: {e}"))
    }

    /// Waits until the element matching `css` shows text containing `expected`; answers it.
    pub async fn wait_for_text(&self, css: &str, expected: &str) -> String {
        let deadline = Instant::now() + PATIENCE;
        let mut last = String::new();
        while Instant::now() < deadline {
            if let Ok(element) = self.client.find(Locator::Css(css)).await {
                if let Ok(text) = element.text().await {
                    if text.contains(expected) {
                        return text;
                    }
                    last = text;
                }
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        let html = self
            .client
            .execute(
                "const e = document.querySelector(arguments[0]); return e ? e.outerHTML : document.body.outerHTML;",
                vec![json!(css)],
            )
            .await
            .unwrap_or_default();
        panic!("{css} never showed {expected:?}; last text {last:?}; html {html}")
    }

    /// Runs `script` (a function body; `arguments` holds `args`) until it answers something
    /// other than null, false or 0; answers that.
    pub async fn wait_for_script(&self, script: &str, args: Vec<Value>) -> Value {
        let deadline = Instant::now() + PATIENCE;
        while Instant::now() < deadline {
            let answer = self.client.execute(script, args.clone()).await;
            if let Ok(v) = answer {
                if !(v.is_null() || v == json!(false) || v == json!(0)) {
                    return v;
                }
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        panic!("script never held: {script}")
    }

    /// The number of data points of the Chart.js chart drawn on canvas `#id`, once drawn.
    pub async fn chart_points(&self, canvas_id: &str) -> u64 {
        let script =
            "const c = window.Chart && Chart.getChart(document.getElementById(arguments[0]));
                      return c ? c.data.datasets.reduce((n, d) => n + d.data.length, 0) : 0;";
        self.wait_for_script(script, vec![json!(canvas_id)])
            .await
            .as_u64()
            .unwrap_or(0)
    }

    pub async fn click(&self, css: &str) {
        self.find(css).await.click().await.expect("click");
    }

    /// Replaces the text of the input matching `css`.
    pub async fn fill(&self, css: &str, text: &str) {
        let input = self.find(css).await;
        input.clear().await.expect("clear");
        input.send_keys(text).await.expect("type");
    }

    /// Saves a PNG of the page at `path` (directories created): the window is made taller for
    /// the picture, so it shows the whole page at the tested width, then set back to 1280×800.
    pub async fn screenshot(&self, path: &Path) {
        self.client
            .set_window_size(1280, 1500)
            .await
            .expect("resize");
        let png = self.client.screenshot().await.expect("screenshot");
        self.client
            .set_window_size(1280, 800)
            .await
            .expect("resize");
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).expect("screenshot dir");
        }
        std::fs::write(path, png).expect("write screenshot");
    }

    /// Ends the session (closing chromium) and stops chromedriver.
    pub async fn close(self) {
        let _ = self.client.clone().close().await;
    }

    fn stop_driver(&mut self) {
        if let Ok(pid) = i32::try_from(self.driver.id()) {
            let _ = nix::sys::signal::killpg(
                nix::unistd::Pid::from_raw(pid),
                nix::sys::signal::Signal::SIGKILL,
            );
        }
        let _ = self.driver.wait();
    }
}

impl Drop for Browser {
    /// Whether the test passed or panicked, chromedriver and its chromium are stopped.
    fn drop(&mut self) {
        self.stop_driver();
    }
}
