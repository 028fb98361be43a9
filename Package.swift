import Foundation
// swift-tools-version: 6.0
// CMLab: a workbench for consistency models. Layers, lowest first (docs/architecture.md):
// a target imports only the targets listed before it, and declares exactly those it imports.
import PackageDescription

// Every target builds checked (-O, Swift's default in release builds): an overflow or an index
// out of range traps or throws, never corrupts memory, and the numeric layers' preconditions
// run in the tests. -Ounchecked was measured side by side on 2026-12-05 (`cmlab bench`, two
// alternating rounds each): it bought 0-1% on the toy training steps, solves and MLP, and
// 2.7-3.4% on the U-Net training step (docs/safety.md); not worth memory-unsafe failure.
let checked: [SwiftSetting] = []

var targets: [Target] = [
    // System-library shims.
    .systemLibrary(name: "CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
    .systemLibrary(name: "CCairo", pkgConfig: "cairo", providers: [.apt(["libcairo2-dev"])]),
    .systemLibrary(name: "CReadline", providers: [.apt(["libreadline-dev"])]),
    // libzmq's pkg-config flags carry -isystem paths SwiftPM refuses; its header and library sit in the default paths.
    .systemLibrary(name: "CZMQ", providers: [.apt(["libzmq3-dev"])]),
    // AVX2 + FMA kernels with run-time dispatch and portable fallbacks (exp from glibc's libmvec).
    .target(
        name: "CKernels", cSettings: [.unsafeFlags(["-O2"])],
        linkerSettings: [.linkedLibrary("mvec"), .linkedLibrary("m")]),

    // Numerical layers.
    .target(name: "Tensors", dependencies: ["CBLAS", "CKernels"], swiftSettings: checked),
    .target(name: "Nets", dependencies: ["Tensors", "CBLAS", "CKernels"], swiftSettings: checked),
    .target(name: "Diffusion", dependencies: ["Tensors", "Nets", "CKernels"], swiftSettings: checked),
    .target(name: "Distillation", dependencies: ["Tensors", "Nets", "Diffusion"], swiftSettings: checked),
    .target(name: "Datasets", dependencies: ["Tensors", "Diffusion"], swiftSettings: checked),
    .target(
        name: "Metrics", dependencies: ["Tensors", "Diffusion", "Distillation", "Datasets"], swiftSettings: checked),
    .target(name: "Plotting", dependencies: ["Tensors", "CCairo"], swiftSettings: checked),

    // The language and the product.
    .target(name: "Script", dependencies: ["Tensors"]),
    .target(
        name: "Bindings",
        dependencies: [
            "Tensors", "Nets", "Diffusion", "Distillation", "Datasets", "Metrics", "Plotting", "Script",
        ]),
    .target(
        name: "Notebook",
        dependencies: ["Tensors", "Script", "Bindings", "Plotting", .product(name: "Ink", package: "Ink")]),
    // The Jupyter kernel: the messaging protocol over ZeroMQ, signed with HMAC-SHA256.
    .target(
        name: "Kernel",
        dependencies: [
            "Tensors", "Plotting", "Script", "Bindings", "Notebook", "CZMQ",
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
    // Sweeps: a notebook over a parameter grid, one `cmlab run` process per point (Foundation.Process), then collected.
    .target(name: "Sweep", dependencies: ["Notebook", "Plotting"]),
    .executableTarget(
        name: "cmlab",
        dependencies: [
            "Tensors", "Nets", "Diffusion", "Distillation", "Datasets", "Plotting",
            "Script", "Bindings", "Notebook", "Kernel", "Sweep", "CReadline",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], swiftSettings: checked),

    // Tests mirror the source modules.
    // Helpers shared by test targets (not a product).
    .target(name: "TestSupport", dependencies: ["Tensors"], path: "Tests/TestSupport"),
    .testTarget(name: "TensorsTests", dependencies: ["Tensors", "CKernels"], resources: [.copy("Fixtures")]),
    .testTarget(name: "NetsTests", dependencies: ["Nets", "Tensors", "CKernels"]),
    .testTarget(name: "DiffusionTests", dependencies: ["Diffusion", "Datasets", "Nets", "Tensors"]),
    .testTarget(name: "DistillationTests", dependencies: ["Distillation", "Datasets", "Diffusion", "Nets", "Tensors"]),
    .testTarget(name: "DatasetsTests", dependencies: ["Datasets", "Diffusion", "Tensors", "TestSupport"]),
    .testTarget(
        name: "MetricsTests",
        dependencies: ["Metrics", "Datasets", "Diffusion", "Distillation", "Nets", "Tensors", "TestSupport"]),
    .testTarget(name: "PlottingTests", dependencies: ["Plotting", "Tensors"]),
    .testTarget(name: "ScriptTests", dependencies: ["Script", "Tensors"], resources: [.copy("Scripts")]),
    .testTarget(
        name: "BindingsTests",
        dependencies: ["Bindings", "Distillation", "Nets", "Script", "Notebook", "Plotting", "Tensors", "TestSupport"]),
    .testTarget(
        name: "NotebookTests", dependencies: ["Notebook", "Bindings", "Script", "Plotting", "Tensors", "TestSupport"]),
    .testTarget(name: "SweepTests", dependencies: ["Sweep", "Notebook"]),
    .testTarget(name: "KernelTests", dependencies: ["Kernel", "Notebook", "Script", "Tensors"]),
]

// The libFuzzer targets build only when asked (they have no ordinary `main`), one at a time
// (docs/contributing.md, "Fuzzing"):
//   CMLAB_FUZZ=1 swift build -c release --scratch-path .build-fuzz --product ScriptFuzz \
//     -Xswiftc -sanitize=fuzzer -Xswiftc -parse-as-library
if ProcessInfo.processInfo.environment["CMLAB_FUZZ"] != nil {
    targets.append(
        .executableTarget(
            name: "ScriptFuzz", dependencies: ["Script", "Bindings", "Tensors"], path: "Sources/ScriptFuzz"))
    targets.append(.executableTarget(name: "NPYFuzz", dependencies: ["Tensors"], path: "Sources/NPYFuzz"))
    targets.append(
        .executableTarget(
            name: "SafeTensorsFuzz", dependencies: ["Distillation", "Diffusion", "Nets", "Tensors"],
            path: "Sources/SafeTensorsFuzz"))
}

let package = Package(
    name: "CMLab",
    platforms: [.macOS(.v15)],
    products: [.executable(name: "cmlab", targets: ["cmlab"])],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/JohnSundell/Ink", from: "0.6.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.0.0"),
    ],
    targets: targets,
    swiftLanguageModes: [.v5]
)
