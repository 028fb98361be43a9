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
            setLimit(low: UInt(bitPattern: base))
        #elseif canImport(Darwin)
            let top = UInt(bitPattern: pthread_get_stackaddr_np(pthread_self()))
            setLimit(low: top &- UInt(pthread_get_stacksize_np(pthread_self())))
        #endif
    }

    /// Sets the limit from the stack's low end, measured from here downwards: at
    /// most 8 MB are trusted (with `ulimit -s unlimited` the reported size is not
    /// what is mapped), less the reserve.
    private mutating func setLimit(low: UInt) {
        let sp = Self.stackAddress(low)
        guard sp > low else { return }
        let floor = Swift.max(low, sp > (8 << 20) ? sp - (8 << 20) : 0)
        limit = floor + Self.reserve(sp - floor)
    }

    /// Whether the current frame is too close to the end of the stack.
    @inline(never)
    func exhausted() -> Bool {
        guard limit != 0 else { return false }
        return Self.stackAddress(limit) < limit
    }

    /// An address in the current frame, on the thread's real stack. A local's address
    /// will not do: under AddressSanitizer locals live in fake heap frames. A temporary
    /// allocation whose size the compiler cannot know (`opaque` is any run-time value)
    /// is a dynamic alloca, which stays on the real stack.
    @inline(__always)
    static func stackAddress(_ opaque: UInt) -> UInt {
        withUnsafeTemporaryAllocation(byteCount: 1 + Int(opaque & 1), alignment: 1) {
            UInt(bitPattern: $0.baseAddress)
        }
    }
}
