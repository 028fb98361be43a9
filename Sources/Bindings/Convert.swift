import Foundation
import Script
import Tensors

/// Conversions between the language's Float32 tensors and the numerical layers'
/// Double batches. A tensor of shape `[n, d…]` is n rows of `d·…` numbers.
extension Tensor {
    var batch: Batch { Batch(self) }
}

extension Batch {
    var value: Value { .tensor(tensor) }
}

extension Arguments {
    /// A tensor argument as a batch of points, with the dimension checked.
    func points(_ name: String, dims: Int? = nil) throws -> Batch {
        let t = try tensor(name)
        guard t.rank >= 1, t.count > 0 else {
            throw error("'\(name)' must hold at least one point, got a tensor of shape \(t.shape)", at: name)
        }
        let b = t.rank == 1 ? Batch(count: t.shape[0], dims: 1, values: t.scalars.map(Double.init)) : t.batch
        if let dims, b.dims != dims {
            throw error("'\(name)' has points of \(b.dims) dims (shape \(t.shape)), expected \(dims)", at: name)
        }
        guard b.values.allSatisfy(\.isFinite) else {
            throw error("'\(name)' contains non-finite values (nan or inf)", at: name)
        }
        return b
    }

    /// A list of numbers.
    func numbers(_ name: String) throws -> [Double] {
        try list(name).map { v -> Double in
            guard case .number(let x) = v else {
                throw error("expected a list of numbers for '\(name)', found \(v.typeName)", at: name)
            }
            return x
        }
    }

    /// A seed: a whole number in 0 … 2⁵³.
    func seed(_ name: String = "seed") throws -> UInt64 {
        let x = try number(name)
        guard x >= 0, x <= 9_007_199_254_740_992, x == x.rounded() else {
            throw error("'\(name)' must be a whole number ≥ 0, got \(formatShort(x))", at: name)
        }
        return UInt64(x)
    }
}

/// A list of Swift doubles as a 1-D tensor value.
func vector(_ xs: [Double]) -> Value { .tensor(Tensor(shape: [xs.count], scalars: xs.map(Float.init))) }
