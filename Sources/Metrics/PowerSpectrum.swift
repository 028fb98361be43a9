import Foundation
import Tensors

/// The radially averaged power spectrum of a set of square images.
///
/// For an image `x` of `s × s` pixels, `F(k) = Σ_p x(p)·e^{−2πi k·p/s}` is its 2-D DFT and
/// `P(k) = |F(k)|²/s²` its power, normalised so that white noise of variance v has
/// `E P(k) = v` at every frequency (a flat spectrum at the noise's variance). Band `b`
/// holds the frequencies `k = (k_x, k_y)`, each signed (`k − s` above s/2), whose radius
/// `|k|` rounds to `b`, for `b = 0 … ⌊s/2⌋`; the corners beyond the Nyquist circle are
/// left out. `power[b]` is the mean of `P` over the band's frequencies and over the images,
/// so a picture of blur shows as power lost at high `b`.
public struct RadialSpectrum: Sendable, Equatable {
    /// Band radius `b` in cycles per image (0 is the mean).
    public let frequency: [Double]
    /// Mean power per band.
    public let power: [Double]
    /// How many frequencies of one image fall in each band.
    public let frequencies: [Int]
}

/// The radially averaged power spectrum of every row of `images` read as an
/// `side × side` image, row-major (see ``RadialSpectrum``). Computed in Double by two
/// real DFT-matrix products per block of images (`dgemm`), exact to rounding.
public func radialPowerSpectrum(_ images: Batch, side: Int) throws(MetricError) -> RadialSpectrum {
    try check(images, "images", in: "spectrum")
    try checkPositive(side, "side", in: "spectrum")
    guard side * side == images.dims else {
        throw MetricError("spectrum: rows of \(images.dims) values are not \(side) × \(side) images")
    }
    let s = side, bands = s / 2 + 1
    // band[kx·s + ky]: the band of frequency (kx, ky), or −1 beyond the Nyquist circle.
    let signed = (0..<s).map { k in Double(k <= s / 2 ? k : k - s) }
    var band = [Int](repeating: -1, count: s * s)
    var frequencies = [Int](repeating: 0, count: bands)
    for kx in 0..<s {
        for ky in 0..<s {
            let b = Int((signed[kx] * signed[kx] + signed[ky] * signed[ky]).squareRoot().rounded())
            if b < bands { band[kx * s + ky] = b; frequencies[b] += 1 }
        }
    }
    // C[p][k] = cos(2π pk/s), S[p][k] = sin(2π pk/s): the DFT matrix is W = C − iS.
    var C = [Double](repeating: 0, count: s * s), S = C
    for p in 0..<s {
        for k in 0..<s {
            let a = 2 * Double.pi * Double((p * k) % s) / Double(s)
            C[p * s + k] = cos(a); S[p * s + k] = sin(a)
        }
    }
    var total = [Double](repeating: 0, count: bands)
    let block = 256
    var start = 0
    while start < images.count {
        let n = min(block, images.count - start), rows = n * s
        // Along each image row: Y = X·W, so Yr = X·C, Yi = −X·S   ([n·s, s]·[s, s]).
        var yr = [Double](repeating: 0, count: rows * s), yi = yr
        images.values.withUnsafeBufferPointer { xv in
            let x = xv.baseAddress! + start * s * s
            dgemm(m: rows, n: s, k: s, x, lda: s, C, ldb: s, &yr, ldc: s)
            dgemm(m: rows, n: s, k: s, alpha: -1, x, lda: s, S, ldb: s, &yi, ldc: s)
        }
        // Transpose each image's Y so that the second transform runs along rows again:
        // Zᵀ = Yᵀ·W (W is symmetric), Zr = Yr·C + Yi·S, Zi = Yi·C − Yr·S (all transposed).
        var tr = yr, ti = yi
        for i in 0..<n {
            for a in 0..<s {
                for b in 0..<s {
                    tr[i * s * s + b * s + a] = yr[i * s * s + a * s + b]
                    ti[i * s * s + b * s + a] = yi[i * s * s + a * s + b]
                }
            }
        }
        var zr = [Double](repeating: 0, count: rows * s), zi = zr
        dgemm(m: rows, n: s, k: s, tr, lda: s, C, ldb: s, &zr, ldc: s)
        dgemm(m: rows, n: s, k: s, ti, lda: s, S, ldb: s, beta: 1, &zr, ldc: s)
        dgemm(m: rows, n: s, k: s, ti, lda: s, C, ldb: s, &zi, ldc: s)
        dgemm(m: rows, n: s, k: s, alpha: -1, tr, lda: s, S, ldb: s, beta: 1, &zi, ldc: s)
        // zr/zi[i][kx][ky]: the band of (kx, ky) does not care which axis is which.
        for i in 0..<n {
            for f in 0..<(s * s) where band[f] >= 0 {
                let q = i * s * s + f
                total[band[f]] += zr[q] * zr[q] + zi[q] * zi[q]
            }
        }
        start += n
    }
    let scale = 1 / (Double(s * s) * Double(images.count))
    let power = (0..<bands).map { total[$0] * scale / Double(frequencies[$0]) }
    return RadialSpectrum(frequency: (0..<bands).map(Double.init), power: power, frequencies: frequencies)
}

/// The spectrum of a student's error: the radially averaged power spectrum of
/// `samples − reference`, row `i` of each from the same initial noise (the teacher's
/// solution). Blur shows as error power at high frequencies, a different but sharp
/// image as error power at low ones; divide by the data's own spectrum to compare.
public func errorSpectrum(samples: Batch, reference: Batch, side: Int) throws(MetricError) -> RadialSpectrum {
    try checkPair(samples, "samples", reference, "reference", in: "error_spectrum")
    guard samples.count == reference.count else {
        throw MetricError(
            "error_spectrum: \(samples.count) samples but \(reference.count) reference rows; "
                + "row i of each must come from the same noise")
    }
    return try radialPowerSpectrum(Batch.zip(samples, reference) { $0 - $1 }, side: side)
}

/// The side of a square image of `dims` pixels, or nil when `dims` is not a square.
public func squareSide(_ dims: Int) -> Int? {
    let s = Int(Double(dims).squareRoot().rounded())
    return s > 0 && s * s == dims ? s : nil
}
