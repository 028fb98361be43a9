import CBLAS

/// Which OpenBLAS kernel family runs the products, for benchmark reports.
///
/// OpenBLAS picks its kernels when the library loads, from the CPU or from the
/// environment variable `OPENBLAS_CORETYPE`. On some machines the environment sets it
/// (with `OPENBLAS_L2_SIZE`) because older OpenBLAS builds compute wrong results or
/// crash with their own choice there; Nets leaves that setting alone and only reports it.
public enum BLASCore {
    /// The kernel family OpenBLAS is using (e.g. "Haswell").
    public static var current: String {
        guard let p = openblas_get_corename() else { return "unknown" }
        return String(cString: p)
    }
}
