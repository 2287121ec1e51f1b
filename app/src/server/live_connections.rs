//! Open live-event connections (`/events`): at most `per_session` for one session and
//! `per_process` in all, and a signal that tells every stream to close (shutdown).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::watch;

/// A browser opens one stream per tab (board, calendar or meeting); six is the HTTP/1.1
/// connection limit per host of common browsers anyway.
pub const PER_SESSION: usize = 6;

/// Open streams per process, by default.
pub const PER_PROCESS: usize = 1_000;

#[derive(Debug)]
struct Inner {
    per_session: usize,
    per_process: usize,
    open: Mutex<HashMap<String, usize>>,
    closing: watch::Sender<bool>,
}

#[derive(Debug, Clone)]
pub struct LiveConnections {
    inner: Arc<Inner>,
}

impl Default for LiveConnections {
    fn default() -> Self {
        Self::with_limits(PER_SESSION, PER_PROCESS)
    }
}

/// Why a new stream was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LiveRefusal {
    Session,
    Process,
    ShuttingDown,
}

impl LiveRefusal {
    pub fn message(self) -> &'static str {
        match self {
            LiveRefusal::Session => {
                "Too many live connections for this sign-in: close another Conform tab and reload."
            }
            LiveRefusal::Process => {
                "The server has too many live connections right now: try again in a moment."
            }
            LiveRefusal::ShuttingDown => "The server is restarting: try again in a moment.",
        }
    }
}

/// Held by an open stream; frees its place when dropped.
#[derive(Debug)]
pub struct LiveSlot {
    inner: Arc<Inner>,
    session: String,
}

impl Drop for LiveSlot {
    fn drop(&mut self) {
        let mut open = self.inner.open.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(count) = open.get_mut(&self.session) {
            *count -= 1;
            if *count == 0 {
                open.remove(&self.session);
            }
        }
    }
}

impl LiveConnections {
    pub fn with_limits(per_session: usize, per_process: usize) -> Self {
        let (closing, _) = watch::channel(false);
        Self {
            inner: Arc::new(Inner {
                per_session,
                per_process,
                open: Mutex::new(HashMap::new()),
                closing,
            }),
        }
    }

    /// A place for one more stream of `session` (the session's token hash), if any is free.
    pub fn open(&self, session: &str) -> Result<LiveSlot, LiveRefusal> {
        if *self.inner.closing.borrow() {
            return Err(LiveRefusal::ShuttingDown);
        }
        let mut open = self.inner.open.lock().unwrap_or_else(|e| e.into_inner());
        let total: usize = open.values().sum();
        let mine = open.get(session).copied().unwrap_or(0);
        if mine >= self.inner.per_session {
            return Err(LiveRefusal::Session);
        }
        if total >= self.inner.per_process {
            return Err(LiveRefusal::Process);
        }
        *open.entry(session.to_string()).or_insert(0) += 1;
        Ok(LiveSlot {
            inner: self.inner.clone(),
            session: session.to_string(),
        })
    }

    /// Streams open now.
    pub fn count(&self) -> usize {
        let open = self.inner.open.lock().unwrap_or_else(|e| e.into_inner());
        open.values().sum()
    }

    /// Tells every stream to close (graceful shutdown); new ones are refused.
    pub fn close_all(&self) {
        self.inner.closing.send_replace(true);
    }

    /// Resolves when `close_all` is called.
    pub fn closing(&self) -> watch::Receiver<bool> {
        self.inner.closing.subscribe()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_are_limited_per_session_and_in_all_and_freed_on_drop() {
        let live = LiveConnections::with_limits(2, 3);
        let a1 = live.open("a").unwrap();
        let _a2 = live.open("a").unwrap();
        assert_eq!(live.open("a").unwrap_err(), LiveRefusal::Session);
        let _b1 = live.open("b").unwrap();
        assert_eq!(live.open("c").unwrap_err(), LiveRefusal::Process);
        drop(a1);
        assert_eq!(live.count(), 2);
        let _c1 = live.open("c").unwrap();
        live.close_all();
        assert_eq!(live.open("d").unwrap_err(), LiveRefusal::ShuttingDown);
    }
}
