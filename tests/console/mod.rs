//! Drives the whole console (engine, app, view) in-process for the flow
//! tests: a Tjänsteguiden simulator on loopback, the console loop
//! ([`orderdesk::runtime::run_loop`]) on a `TestBackend` the test can read
//! while the loop owns the terminal, keys fed through a channel, a store in
//! a temp data dir. [`team_console`] runs the same loop following a team
//! store instead (no carrier, no simulator). No real terminal, no signal
//! handlers, no sleeps beyond polling the screen.
#![allow(dead_code)]

use std::io;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use futures::channel::mpsc;
use orderdesk::config::Config;
use orderdesk::registry;
use orderdesk::runtime::{self, ConsoleSetup};
use orderdesk::sim::RunningSim;
use orderdesk::sim::tjansteguiden::{SimOptions, TgSim};
use orderdesk::ui::Theme;
use ratatui::Terminal;
use ratatui::backend::{Backend, ClearType, TestBackend, WindowSize};
use ratatui::buffer::Cell;
use ratatui::layout::{Position, Size};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// How long [`Console::wait_for`] waits before failing.
const WAIT: Duration = Duration::from_secs(20);

/// A `TestBackend` shared between the loop (which draws on it) and the
/// test (which reads the screen).
#[derive(Clone)]
pub struct SharedBackend(Arc<Mutex<TestBackend>>);

impl SharedBackend {
    fn lock(&self) -> MutexGuard<'_, TestBackend> {
        // A panic while drawing poisons the lock; the screen is still readable.
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The screen as text, one line per row.
    pub fn text(&self) -> String {
        let backend = self.lock();
        let buffer = backend.buffer();
        let mut out = String::new();
        for y in 0..buffer.area.height {
            for x in 0..buffer.area.width {
                out.push_str(buffer[(x, y)].symbol());
            }
            out.push('\n');
        }
        out
    }
}

impl Backend for SharedBackend {
    type Error = std::convert::Infallible;

    fn draw<'a, I>(&mut self, content: I) -> Result<(), Self::Error>
    where
        I: Iterator<Item = (u16, u16, &'a Cell)>,
    {
        self.lock().draw(content)
    }
    fn append_lines(&mut self, n: u16) -> Result<(), Self::Error> {
        self.lock().append_lines(n)
    }
    fn hide_cursor(&mut self) -> Result<(), Self::Error> {
        self.lock().hide_cursor()
    }
    fn show_cursor(&mut self) -> Result<(), Self::Error> {
        self.lock().show_cursor()
    }
    fn get_cursor_position(&mut self) -> Result<Position, Self::Error> {
        self.lock().get_cursor_position()
    }
    fn set_cursor_position<P: Into<Position>>(&mut self, position: P) -> Result<(), Self::Error> {
        self.lock().set_cursor_position(position)
    }
    fn clear(&mut self) -> Result<(), Self::Error> {
        self.lock().clear()
    }
    fn clear_region(&mut self, clear_type: ClearType) -> Result<(), Self::Error> {
        self.lock().clear_region(clear_type)
    }
    fn size(&self) -> Result<Size, Self::Error> {
        self.lock().size()
    }
    fn window_size(&mut self) -> Result<WindowSize, Self::Error> {
        self.lock().window_size()
    }
    fn flush(&mut self) -> Result<(), Self::Error> {
        self.lock().flush()
    }
}

/// How a console starts.
pub struct Start {
    pub width: u16,
    pub height: u16,
    pub readonly: bool,
    /// Orders the simulator generates.
    pub orders: usize,
    /// How often the carrier is polled.
    pub refresh: Duration,
    pub warnings: Vec<String>,
    /// The data dir to start from (a prepared store); a fresh temp dir
    /// when `None`.
    pub data_dir: Option<std::path::PathBuf>,
    /// Where notes go with the store off; `None` refuses them then.
    pub state_dir: Option<std::path::PathBuf>,
}

impl Default for Start {
    fn default() -> Self {
        Start {
            width: 160,
            height: 48,
            readonly: false,
            orders: 120,
            refresh: Duration::from_secs(30),
            warnings: Vec::new(),
            data_dir: None,
            state_dir: None,
        }
    }
}

/// A console loop running on a [`SharedBackend`], fed keys through a
/// channel: what every console of these tests is.
pub struct Running {
    screen: SharedBackend,
    keys: mpsc::UnboundedSender<io::Result<Event>>,
    task: Option<JoinHandle<Result<(), String>>>,
    shutdown: Option<oneshot::Sender<()>>,
}

/// A running console against one Tjänsteguiden simulator named `tg`.
pub struct Console {
    /// The simulator's state: requests, writes, order status and log.
    pub sim: TgSim,
    running: Running,
    _server: RunningSim,
    _dir: tempfile::TempDir,
}

impl std::ops::Deref for Console {
    type Target = Running;
    fn deref(&self) -> &Running {
        &self.running
    }
}

/// The setup every test console starts from: no colour, no carriers, no
/// store, Stockholm time, `user` as the agent.
pub fn bare_setup(user: &str, readonly: bool) -> ConsoleSetup {
    ConsoleSetup {
        handles: Vec::new(),
        readonly,
        theme: Theme::no_color(),
        theme_name: None,
        user: user.to_owned(),
        keys: Default::default(),
        data_dir: None,
        state_dir: None,
        keep_terminal: chrono::Duration::days(14),
        timezone: chrono_tz::Europe::Stockholm,
        warnings: Vec::new(),
        board: Default::default(),
        wallboard: false,
        service_levels: Default::default(),
        notify: Default::default(),
        team: None,
        personal: Default::default(),
    }
}

/// A console in team mode following the team store at `url` as `user`
/// (password `password`): no carrier, no simulator of its own.
pub fn team_console(
    url: &str,
    password: &str,
    user: &str,
    readonly: bool,
    (width, height): (u16, u16),
) -> Running {
    let mut setup = bare_setup(user, readonly);
    setup.team = Some(runtime::TeamSetup {
        url: url.to_owned(),
        password: orderdesk::store::postgres::Password::given(password.into()),
    });
    Running::start(setup, width, height)
}

impl Console {
    pub async fn start(start: Start) -> Console {
        let (sim, server) = TgSim::spawn(
            SimOptions {
                orders: start.orders,
                ..SimOptions::default()
            },
            0,
        )
        .await
        .expect("the simulator starts");
        let mut carrier = sim.carrier_config("tg", &server.origin());
        carrier.refresh = start.refresh;
        let mut config = Config::empty();
        config.carriers.push(carrier);
        let handles = config
            .carriers
            .iter()
            .map(|c| registry::build(&config, c, start.readonly).expect("the carrier builds"))
            .collect();
        let dir = tempfile::tempdir().expect("tempdir");
        let mut setup = bare_setup(&config.user, start.readonly);
        setup.handles = handles;
        setup.keys = config.keys.clone();
        setup.data_dir = Some(start.data_dir.unwrap_or_else(|| dir.path().to_owned()));
        setup.state_dir = start.state_dir;
        setup.keep_terminal = chrono::Duration::days(i64::from(config.keep_terminal_days));
        setup.warnings = start.warnings;
        Console {
            sim,
            running: Running::start(setup, start.width, start.height),
            _server: server,
            _dir: dir,
        }
    }

    /// Presses `q` and waits for the loop to end by itself; its result.
    pub async fn quit(self) -> Result<(), String> {
        self.running.quit().await
    }
}

impl Running {
    /// Runs the console loop with `setup` on a `width` x `height` screen.
    pub fn start(setup: ConsoleSetup, width: u16, height: u16) -> Running {
        let screen = SharedBackend(Arc::new(Mutex::new(TestBackend::new(width, height))));
        let (keys, input) = mpsc::unbounded();
        let (stop, stopped) = oneshot::channel::<()>();
        let backend = screen.clone();
        let task = tokio::spawn(async move {
            let mut terminal = Terminal::new(backend).map_err(|e| e.to_string())?;
            let shutdown = async move {
                let _ = stopped.await;
            };
            runtime::run_loop(&mut terminal, input, shutdown, setup).await
        });
        Running {
            screen,
            keys,
            task: Some(task),
            shutdown: Some(stop),
        }
    }

    pub fn screen(&self) -> String {
        self.screen.text()
    }

    fn send(&self, key: KeyEvent) {
        self.keys
            .unbounded_send(Ok(Event::Key(key)))
            .expect("the console reads keys");
    }

    /// Presses keys without modifiers.
    pub fn keys(&self, codes: &[KeyCode]) {
        for code in codes {
            self.send(KeyEvent::new(*code, KeyModifiers::NONE));
        }
    }

    /// Presses Ctrl and `c`.
    pub fn ctrl(&self, c: char) {
        self.send(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL));
    }

    /// Types `text` one key per character.
    pub fn literal(&self, text: &str) {
        for c in text.chars() {
            self.send(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
        }
    }

    /// Waits until the screen satisfies `check`, or fails with the last
    /// screen (also when the console ended on its own).
    pub async fn wait_for(&self, what: &str, check: impl Fn(&str) -> bool) -> String {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let screen = self.screen();
            if check(&screen) {
                return screen;
            }
            let ended = self.task.as_ref().is_none_or(|t| t.is_finished());
            assert!(
                !ended && tokio::time::Instant::now() < deadline,
                "{} waiting for {what}; screen was:\n{screen}",
                if ended { "console ended" } else { "timed out" }
            );
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    /// Presses `q` and waits for the loop to end by itself; its result.
    pub async fn quit(mut self) -> Result<(), String> {
        self.keys(&[KeyCode::Char('q')]);
        let task = self.task.take().expect("running");
        tokio::time::timeout(WAIT, task)
            .await
            .expect("the console quits on q")
            .expect("the console task does not panic")
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(stop) = self.shutdown.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}
