#if canImport(Glibc)
    import Glibc
#endif

/// Runs `body` with Ctrl-C (SIGINT), SIGTERM, SIGHUP and SIGQUIT unblocked on this thread.
///
/// A process started here inherits this thread's signal mask, and a Dispatch worker thread
/// (where the executors start points) blocks those signals: a point started from one could
/// not be stopped by Ctrl-C or SIGTERM, only by SIGKILL, and wrote no report of what ran.
func withStopSignalsUnblocked<T>(_ body: () throws -> T) rethrows -> T {
    var set = sigset_t(), old = sigset_t()
    sigemptyset(&set)
    for s in [SIGINT, SIGTERM, SIGHUP, SIGQUIT] { sigaddset(&set, s) }
    pthread_sigmask(SIG_UNBLOCK, &set, &old)
    defer { pthread_sigmask(SIG_SETMASK, &old, nil) }
    return try body()
}
