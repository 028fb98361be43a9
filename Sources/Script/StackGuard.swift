#if canImport(Glibc)
import Glibc

// A GNU extension the Glibc module does not export (it needs _GNU_SOURCE).
@_silgen_name("pthread_getattr_np")
private func pthread_getattr_np(_ thread: pthread_t, _ attr: UnsafeMutablePointer<pthread_attr_t>) -> Int32
#elseif canImport(Darwin)
import Darwin
#endif

/// Knows where the current thread's stack ends, so deep evaluation can stop with
/// an error before it overflows, whatever thread the interpreter runs on (the
/// main thread's 8 MB, or a worker's 512 KB) and whatever the build's frame sizes.
struct StackGuard {
    /// Lowest usable stack address (the stack grows down), or 0 when unknown.
    private var limit: UInt = 0

    /// Bytes kept free below the deepest frame allowed, room for a builtin's own
    /// work: 192 KB, or a quarter of a smaller stack.
    static func reserve(_ size: UInt) -> UInt { Swift.min(192 * 1024, size / 4) }

    /// Reads the bounds of the calling thread's stack.
    mutating func arm() {
        limit = 0
        #if canImport(Glibc)
        var attr = pthread_attr_t()
        guard pthread_getattr_np(pthread_self(), &attr) == 0 else { return }
        defer { pthread_attr_destroy(&attr) }
        var addr: UnsafeMutableRawPointer? = nil
        var size = 0
        guard pthread_attr_getstack(&attr, &addr, &size) == 0, let base = addr else { return }
        let low = UInt(bitPattern: base)
        // The main thread's reported size follows `ulimit -s`, which may exceed what is mapped; trust at most 8 MB.
        let usable = UInt(Swift.min(size, 8 << 20))
        let top = low &+ UInt(size)
        limit = top &- usable &+ Self.reserve(usable)
        #elseif canImport(Darwin)
        let top = UInt(bitPattern: pthread_get_stackaddr_np(pthread_self()))
        let size = UInt(pthread_get_stacksize_np(pthread_self()))
        limit = top &- size &+ Self.reserve(size)
        #endif
    }

    /// Whether the current frame is too close to the end of the stack.
    @inline(never)
    func exhausted() -> Bool {
        guard limit != 0 else { return false }
        var marker: UInt8 = 0
        return withUnsafeMutablePointer(to: &marker) { UInt(bitPattern: $0) < limit }
    }
}
