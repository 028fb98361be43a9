import Foundation
import Tensors
import Testing

@testable import Plotting

/// Draws the gallery from synthetic data shaped like the real study: Heun paths
/// of the exact ring8 denoiser on a Karras grid, a blurred "student", a decaying
/// loss and gray image blobs. Set CMLAB_GALLERY_DIR to keep the pictures and look.
struct GalleryTests {
    @Test func galleryWritesFivePictures() throws {
        let dir: URL
        if let keep = ProcessInfo.processInfo.environment["CMLAB_GALLERY_DIR"] {
            dir = URL(fileURLWithPath: keep)
        } else {
            dir = FileManager.default.temporaryDirectory.appendingPathComponent("cmlab-gallery-\(UUID().uuidString)")
        }
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let data = Synthetic.make()
        let urls = try renderGallery(
            to: dir, trajectories: data.paths, sigmas: data.sigmas,
            teacherSamples: data.teacher, studentSamples: data.student,
            lossCurve: data.loss, images: data.images)
        #expect(
            urls.map(\.lastPathComponent) == [
                "trajectories.png", "samples.png", "density.png", "loss.png", "images.png",
            ])
        for url in urls {
            let bytes = try Data(contentsOf: url)
            #expect(bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]), "\(url.lastPathComponent)")
        }
        if ProcessInfo.processInfo.environment["CMLAB_GALLERY_DIR"] == nil {
            try? FileManager.default.removeItem(at: dir)
        }
    }
}

struct GalleryBatchTests {
    @Test func galleryFromBatchesWithoutImagesWritesFour() throws {
        let d = Synthetic.make(paths: 50, samples: 300)
        let steps = d.paths[0].count
        let states = (0..<steps).map { k in
            Batch(count: d.paths.count, dims: 2, values: d.paths.flatMap { [$0[k].0, $0[k].1] })
        }
        func batch(_ p: [(Double, Double)]) -> Batch {
            Batch(count: p.count, dims: 2, values: p.flatMap { [$0.0, $0.1] })
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cmlab-gallery-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let urls = try renderGallery(
            to: dir, trajectoryStates: states, sigmas: d.sigmas, teacherSamples: batch(d.teacher),
            studentSamples: batch(d.student), lossCurve: d.loss, images: nil, dpi: 72)
        #expect(urls.count == 4)
        #expect(throws: PlotError.self) {
            try renderGallery(
                to: dir.appendingPathComponent("missing"), trajectoryStates: states, sigmas: d.sigmas,
                teacherSamples: batch(d.teacher), studentSamples: batch(d.student), lossCurve: d.loss, images: nil)
        }
    }
}

/// Synthetic stand-ins for the study's arrays.
enum Synthetic {
    struct Data {
        var paths: [[(Double, Double)]]
        var sigmas: [Double]
        var teacher: [(Double, Double)]
        var student: [(Double, Double)]
        var loss: [Double]
        var images: Tensor
    }

    /// The exact ring8 denoiser: 8 Gaussians of std 0.05 on the unit circle.
    static func denoise(_ x: (Double, Double), _ sigma: Double) -> (Double, Double) {
        let s2 = 0.05 * 0.05, v = s2 + sigma * sigma
        var logw = [Double](), means = [(Double, Double)]()
        for k in 0..<8 {
            let a = 2 * Double.pi * Double(k) / 8, m = (cos(a), sin(a))
            means.append(m)
            logw.append(-((x.0 - m.0) * (x.0 - m.0) + (x.1 - m.1) * (x.1 - m.1)) / (2 * v))
        }
        let top = logw.max()!
        let w = logw.map { exp($0 - top) }, z = w.reduce(0, +)
        var d = (0.0, 0.0)
        for k in 0..<8 {
            let shrink = s2 / v
            d.0 += w[k] / z * (means[k].0 + shrink * (x.0 - means[k].0))
            d.1 += w[k] / z * (means[k].1 + shrink * (x.1 - means[k].1))
        }
        return d
    }

    static func make(paths count: Int = 300, samples: Int = 4000) -> Data {
        let rng = RNG(seed: 7)
        let n = 40, rho = 7.0, smin = 0.002, smax = 80.0
        var sigmas = (0..<n).map { i in
            pow(pow(smax, 1 / rho) + Double(i) / Double(n - 1) * (pow(smin, 1 / rho) - pow(smax, 1 / rho)), rho)
        }
        sigmas.append(0)
        func heun(_ x0: (Double, Double)) -> [(Double, Double)] {
            var x = x0, path = [x]
            for i in 0..<n {
                let sa = sigmas[i], sb = sigmas[i + 1]
                let D = denoise(x, sa), d = ((x.0 - D.0) / sa, (x.1 - D.1) / sa)
                var next = (x.0 + (sb - sa) * d.0, x.1 + (sb - sa) * d.1)
                if sb > 0 {
                    let D2 = denoise(next, sb), d2 = ((next.0 - D2.0) / sb, (next.1 - D2.1) / sb)
                    next = (x.0 + (sb - sa) * (d.0 + d2.0) / 2, x.1 + (sb - sa) * (d.1 + d2.1) / 2)
                }
                x = next; path.append(x)
            }
            return path
        }
        func gauss(_ i: Int) -> Double { rng.normal(at: UInt64(i)) }
        var noise: [(Double, Double)] = []
        for i in 0..<samples { noise.append((gauss(2 * i) * smax, gauss(2 * i + 1) * smax)) }
        let paths = noise.prefix(count).map(heun)
        let teacher = noise.map { heun($0).last! }
        // A "student": the teacher's samples pulled 15% towards the origin and blurred.
        var student: [(Double, Double)] = []
        for (i, p) in teacher.enumerated() {
            let a: Double = 0.85 * p.0 + 0.08 * gauss(100_000 + 2 * i)
            let b: Double = 0.85 * p.1 + 0.08 * gauss(100_001 + 2 * i)
            student.append((a, b))
        }
        let loss = (0..<3000).map { i in
            (0.8 * exp(-Double(i) / 400) + 0.02) * exp(0.35 * rng.normal(at: UInt64(200_000 + i)))
        }
        var pixels = [Float]()
        for k in 0..<32 {
            let cx = 8 + 12 * rng.uniform(at: UInt64(300_000 + 2 * k)),
                cy = 8 + 12 * rng.uniform(at: UInt64(300_001 + 2 * k))
            for y in 0..<28 {
                for x in 0..<28 {
                    let r2 = (Double(x) - cx) * (Double(x) - cx) + (Double(y) - cy) * (Double(y) - cy)
                    pixels.append(
                        Float(min(1, exp(-r2 / 30) + 0.15 * rng.uniform(at: UInt64(400_000 + k * 784 + y * 28 + x)))))
                }
            }
        }
        return Data(
            paths: Array(paths), sigmas: Array(sigmas.prefix(n + 1)), teacher: teacher, student: student,
            loss: loss, images: Tensor(shape: [32, 28, 28], scalars: pixels))
    }
}

/// Every kind of mark in one figure, for looking at (kept under CMLAB_GALLERY_DIR).
struct ShowcaseTests {
    @Test func everyMarkRendersInEveryFormat() throws {
        let data = Synthetic.make(paths: 120, samples: 1500)
        var fig = Figure(rows: 2, columns: 3, title: "Plotting showcase")

        // Velocity field of the probability flow at σ = 0.5, with paths over it.
        let grid = stride(from: -1.6, through: 1.6, by: 0.2).map { $0 }
        var u: [Double] = [], v: [Double] = []
        for y in grid {
            for x in grid {
                let d = Synthetic.denoise((x, y), 0.5)
                u.append((x - d.0) / 0.5); v.append((y - d.1) / 0.5)
            }
        }
        fig[0].vectorField(x: grid, y: grid, u: u, v: v, colormap: .plasma)
        fig[0].equalAspect = true
        fig[0].title = "velocity field, σ = 0.5"

        // Scatter coloured by distance from the origin.
        let tx = data.teacher.map(\.0), ty = data.teacher.map(\.1)
        let student = data.student
        fig[1].scatter(
            x: student.map(\.0), y: student.map(\.1), values: student.map { hypot($0.0, $0.1) },
            colormap: .viridis, colorbarLabel: "radius")
        fig[1].equalAspect = true
        fig[1].title = "coloured by value"

        // Lines with markers on log–log axes: error against steps.
        let steps: [Double] = [1, 2, 4, 8, 16, 32, 64]
        fig[2].line(x: steps, y: steps.map { 0.5 / $0 }, label: "Euler", marker: .circle)
        fig[2].line(x: steps, y: steps.map { 0.3 / ($0 * $0) }, label: "Heun", marker: .square)
        fig[2].line(
            x: steps, y: steps.map { 0.2 / pow($0, 1.5) }, label: "DPM++(2M)", style: .dashed, marker: .triangle)
        fig[2].xScale = .log; fig[2].yScale = .log
        fig[2].xLabel = "steps"; fig[2].yLabel = "ODE error"
        fig[2].title = "error against steps"

        // Histograms of the radius.
        fig[3].histogram(data.teacher.map { hypot($0.0, $0.1) }, density: true, label: "teacher")
        fig[3].histogram(student.map { hypot($0.0, $0.1) }, density: true, label: "student")
        fig[3].xLabel = "‖x‖"; fig[3].yLabel = "density"
        fig[3].title = "radius"

        // A density evaluated on a grid (the ring8 mixture at σ = 0.1).
        let n = 120
        var values: [Double] = []
        for j in 0..<n {
            for i in 0..<n {
                let x = -1.5 + 3 * (Double(i) + 0.5) / Double(n), y = -1.5 + 3 * (Double(j) + 0.5) / Double(n)
                var p = 0.0
                for k in 0..<8 {
                    let a = 2 * Double.pi * Double(k) / 8
                    let s2 = 0.05 * 0.05 + 0.01
                    p +=
                        exp(-((x - cos(a)) * (x - cos(a)) + (y - sin(a)) * (y - sin(a))) / (2 * s2))
                        / (16 * Double.pi * s2)
                }
                values.append(p)
            }
        }
        fig[4].heatmap(
            values, columns: n, rows: n, x: -1.5...1.5, y: -1.5...1.5, colormap: .magma, label: "p(x; σ = 0.1)")
        fig[4].equalAspect = true
        fig[4].showsGrid = false
        fig[4].title = "density on a grid"

        // Outliers: robust limits keep the bulk readable.
        var ox = tx, oy = ty
        ox[0] = 60; oy[1] = -45
        fig[5].scatter(x: ox, y: oy, label: "with two outliers")
        fig[5].limits = .robust(quantile: 0.005)
        fig[5].title = "robust limits"

        for format in OutputFormat.allCases {
            let bytes = try fig.data(format: format)
            #expect(bytes.count > 1000)
        }
        if let keep = ProcessInfo.processInfo.environment["CMLAB_GALLERY_DIR"] {
            try fig.save(to: URL(fileURLWithPath: keep).appendingPathComponent("showcase.png"))
            try fig.save(to: URL(fileURLWithPath: keep).appendingPathComponent("showcase.svg"))
            try fig.save(to: URL(fileURLWithPath: keep).appendingPathComponent("showcase.pdf"))
        }
    }
}

/// What one call with no options looks like (kept under CMLAB_GALLERY_DIR).
struct DefaultsTests {
    @Test func oneCallWithNoOptions() throws {
        let rng = RNG(seed: 3)
        var fig = Figure(rows: 1, columns: 2)
        fig[0].scatter(
            x: (0..<10_000).map { rng.normal(at: UInt64($0)) * 3 + 100 },
            y: (0..<10_000).map { rng.normal(at: UInt64(20_000 + $0)) * 0.001 })
        fig[0].title = "a very long title that would never fit over a panel of this width at the usual size"
        for k in 0..<4 {
            fig[1].line(y: (0..<50).map { sin(Double($0) / 8 + Double(k)) * Double(k + 1) }, label: "series \(k)")
        }
        let png = try fig.pngData()
        #expect(png.count > 1000)
        if let keep = ProcessInfo.processInfo.environment["CMLAB_GALLERY_DIR"] {
            try fig.save(to: URL(fileURLWithPath: keep).appendingPathComponent("defaults.png"))
        }
    }
}
