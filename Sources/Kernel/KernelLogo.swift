// The kernel's logo, drawn with the project's own plotting: probability-flow
// trajectories spiralling from noise into the eight modes of ring8.
import Foundation
import Plotting

enum KernelLogo {
    /// A square PNG `pixels` wide (Jupyter asks for 32 and 64).
    static func png(pixels: Int) throws -> Data {
        let points = 64.0
        var figure = Figure(width: points, height: points)
        figure.style.padding = 1
        var panel = Panel()
        panel.showsAxes = false
        panel.showsGrid = false
        panel.showsColorbar = false
        panel.legend = .hidden
        panel.equalAspect = true
        panel.xLimits = -2.7...2.7
        panel.yLimits = -2.7...2.7
        let (paths, sigmas) = spirals()
        panel.trajectories(paths: paths, sigmas: sigmas, colormap: .viridis, width: 2.2, alpha: 1, markEnds: false)
        let modes = (0..<8).map { 2 * Double.pi * Double($0) / 8 }
        panel.scatter(x: modes.map(cos), y: modes.map(sin), color: Color(hex: 0x1A1A1A), size: 6, alpha: 1)
        figure[0] = panel
        return try figure.pngData(dpi: 72 * Double(pixels) / points)
    }

    /// One path per mode: the radius shrinks from 2.5 to the ring's 1 while the
    /// angle turns by 1.2 rad onto the mode, as a solve from σ = 80 to 0.002 would.
    static func spirals() -> ([[(Double, Double)]], [Double]) {
        let steps = 24
        let sigmas = (0..<steps).map { 80 * pow(0.002 / 80, Double($0) / Double(steps - 1)) }
        let paths = (0..<8).map { k -> [(Double, Double)] in
            let mode = 2 * Double.pi * Double(k) / 8
            return (0..<steps).map { i in
                let t = Double(i) / Double(steps - 1)
                let r = 1 + 1.5 * pow(1 - t, 1.6)
                let a = mode + 1.2 * (1 - t)
                return (r * cos(a), r * sin(a))
            }
        }
        return (paths, sigmas)
    }
}
