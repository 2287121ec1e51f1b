//! How the allocator keeps memory. glibc gives each thread that allocates an arena of its own
//! and keeps what every arena grew to: with the runtime's workers and one SQLite worker thread
//! per connection, eight readers of the 1,000-card board and eight of the improvement register
//! left the server 120 MiB above idle; with two arenas, 76 MiB (docs/benchmarks.md,
//! `scripts/bench-memory.sh`).

/// Limits glibc to two arenas, unless `MALLOC_ARENA_MAX` says otherwise. Call it first in
/// `main`, before any other thread starts.
pub fn limit_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    if std::env::var_os("MALLOC_ARENA_MAX").is_none() {
        // SAFETY: mallopt only sets an allocator parameter, and no other thread exists yet.
        unsafe {
            libc::mallopt(libc::M_ARENA_MAX, 2);
        }
    }
}
