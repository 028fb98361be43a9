import Foundation
import Nets
import Tensors
import Testing

@testable import Diffusion

/// One learned denoiser over either network: a teacher file of either kind loads through
/// the same `LearnedDenoiser.load`, whichever tag its record carries.
@Suite struct TeacherFileTests {
    static let tiny = UNet.Configuration(
        channels: 1, height: 4, width: 4, baseWidth: 8, embedDims: 16, fourierFeatures: 4)

    func temp(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID()).safetensors").path
    }

    /// Rewrites the `"teacher"` record's format tag of a saved teacher.
    func retag(_ path: String, _ format: String) throws {
        var contents = try SafeTensors.read(path)
        let record = try #require(contents.metadata["teacher"])
        contents.metadata["teacher"] = record.replacingOccurrences(of: "\"cmlab.teacher\\/1\"", with: "\"\(format)\"")
        #expect(contents.metadata["teacher"] != record, "the tag was not found in \(record)")
        try SafeTensors.write(contents, to: path)
    }

    @Test func eitherNetworkRoundTripsThroughOneLoader() throws {
        let mlp = LearnedDenoiser(network: MLP(inputDims: 2, width: 16, depth: 2, seed: 4), dataName: "ring8")
        let unet = LearnedDenoiser(network: UNet(Self.tiny), sigmaData: 0.4, dataName: "fashion14")
        for (D, dims) in [(mlp, 2), (unet, 16)] {
            let path = temp("teacher")
            defer { try? FileManager.default.removeItem(atPath: path) }
            try D.save(to: path)
            let L = try LearnedDenoiser.load(from: path)
            let x = RNG(seed: 9).normalBatch(count: 5, dims: dims)
            #expect(L.denoise(x, sigma: 0.3) == D.denoise(x, sigma: 0.3))
            #expect(L.sigmaData == D.sigmaData && L.dataName == D.dataName)
            #expect((L.unet == nil) == (D.unet == nil) && (L.mlp == nil) == (D.mlp == nil))
        }
        #expect(mlp.imageShape == nil && unet.imageShape?.width == 4)
    }

    /// U-Net teachers written before the two kinds shared one record carry the tag
    /// `cmlab.image-teacher/1`: they still load. An unknown tag is refused with a message.
    @Test func olderImageTagLoadsAndUnknownTagIsRefused() throws {
        let D = LearnedDenoiser(network: UNet(Self.tiny), dataName: "fashion14")
        let path = temp("old-teacher")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try D.save(to: path)
        try retag(path, "cmlab.image-teacher/1")
        let x = RNG(seed: 3).normalBatch(count: 2, dims: 16)
        #expect(try LearnedDenoiser.load(from: path).denoise(x, sigma: 1) == D.denoise(x, sigma: 1))
        var contents = try SafeTensors.read(path)
        contents.metadata["teacher"] = contents.metadata["teacher"]?
            .replacingOccurrences(of: "cmlab.image-teacher", with: "cmlab.future-teacher")
        try SafeTensors.write(contents, to: path)
        let e = #expect(throws: DiffusionError.self) { _ = try LearnedDenoiser.load(from: path) }
        #expect(e?.message.contains("not a teacher checkpoint") == true)
    }
}
