import Bindings
import Foundation
import Notebook
import Plotting
import Script
import Tensors
import Testing

@Suite("REPL session")
struct REPLSessionTests {
    func session() -> Session { Session { Interpreter() } }

    @Test func numbersCellsAndExposesOutInAndUnderscore() {
        let s = session()
        let a = s.execute("x = 20")
        #expect(a.number == 1 && a.shown == nil)
        let b = s.execute("x + 1")
        #expect(b.number == 2 && b.shown == "21")
        let c = s.execute("Out[2] * 2")
        #expect(c.shown == "42")
        #expect(s.execute("_ + 1").shown == "43")
        #expect(s.execute("In[2]").shown == "\"x + 1\"")
        let bad = s.execute("nope")
        #expect(!bad.result.succeeded && bad.number == 6)
        #expect(s.execute("Out[6]").shown == nil) // a failed cell's Out is none
        #expect(s.counter == 8)
    }

    @Test func failedInputsKeepTheSessionAndAreNotSaved() throws {
        let s = session()
        s.execute("a = 1")
        s.execute("b = a +")
        s.execute("a + 1")
        #expect(s.accepted == ["a = 1", "a + 1"])
        let url = FileManager.default.temporaryDirectory.appendingPathComponent(
            "cmlab-session-\(UUID().uuidString).cml")
        try s.save(to: url)
        let nb = PercentFormat.parse(try String(contentsOf: url, encoding: .utf8))
        #expect(nb.cells.map(\.kind) == [.markdown, .code, .code])
        #expect(nb.cells.dropFirst().map(\.source) == ["a = 1", "a + 1"])
    }

    @Test func cellsRunWithoutHistoryTakeNoNumber() {
        let s = session()
        s.execute("a = 1")
        let quiet = s.execute("a = a + 1", storeHistory: false)
        #expect(quiet.result.succeeded && quiet.number == 2)
        #expect(s.execute("a").shown == "2") // it ran, in the same variables
        // In[0] is empty, then "a = 1", "a" and this cell: the quiet cell is not one of them.
        #expect(s.execute("len(In)").shown == "4")
        #expect(s.inputs.map(\.source) == ["a = 1", "a", "len(In)"])
        #expect(s.inputs.map(\.shown) == [nil, "2", "4"])
    }

    @Test func aCellEndingInAFigureItDidNotWriteShowsIt() throws {
        let dir = tempFolder("session-figure")
        var written: [URL] = []
        let hooks = SessionHooks(
            cancel: CancellationToken(), progress: { _, _, _ in }, figureWritten: { url, _ in written.append(url) },
            resolveWritePath: { dir.appendingPathComponent($0) }, resolveReadPath: { dir.appendingPathComponent($0) },
            outputDirectory: dir, newFigureURL: { dir.appendingPathComponent("f.\($0)") })
        let s = Session(
            setUp: { interpreter, hooks in
                let context = BindingsContext(
                    cancel: hooks.cancel, resolveWritePath: hooks.resolveWritePath,
                    figureWritten: { hooks.figureWritten($0, $1) })
                installBindings(into: interpreter, context: context)
            }, hooks: hooks, output: { _ in })
        let drawn = s.execute("scatter(samples(ring(), 50))")
        #expect(drawn.figure != nil && written.isEmpty)
        let saved = s.execute("plot(ring(), file: \"ring.png\")")
        #expect(saved.result.succeeded && saved.value.figureValue != nil)
        #expect(saved.figure == nil && written.map(\.lastPathComponent) == ["ring.png"])
    }

    @Test func helpQueriesAreTheOneLineForms() {
        #expect(Session.helpQuery("?len") == "?len")
        #expect(Session.helpQuery("  traj.final? ") == "traj.final?")
        #expect(Session.helpQuery("x = 1  # why?") == nil)
        #expect(Session.helpQuery("?a\nb") == nil)
        #expect(Session.helpQuery("x = 1") == nil)
    }

    @Test func resetForgetsVariablesAndNumbering() {
        let s = session()
        s.execute("a = 1")
        s.reset()
        #expect(s.counter == 1 && s.accepted.isEmpty)
        #expect(!s.execute("a").result.succeeded)
    }

    @Test func continuationWhileBracketsAreOpen() {
        #expect(!Session.isComplete("for i in range(3) {"))
        #expect(!Session.isComplete("f(1,\n  2"))
        #expect(Session.isComplete("f(1,\n  2)"))
        #expect(Session.isComplete("s = \"(\"  # (["))
        #expect(Session.isComplete("x = 1"))
    }

    @Test func helpForNamesAndMembers() {
        let s = session()
        #expect(s.help(for: "?len").hasPrefix("len(x)"))
        #expect(s.help(for: "len?").hasPrefix("len(x)"))
        #expect(s.help(for: "?").hasPrefix("Builtins"))
        s.execute("t = tensor([1, 2])")
        #expect(s.help(for: "?t").hasPrefix("tensor:"))
        #expect(s.help(for: "?lne").contains("did you mean 'len'"))
    }

    @Test func braillePreviewOfAFigure() throws {
        var figure = Figure(width: 200, height: 100)
        figure[0].line(x: [0, 1], y: [0, 1])
        let image = try figure.pixels(dpi: 72)
        let lines = FigurePreview.braille(image, columns: 40, color: false)
        #expect(lines.count == 10) // 80 × 40 dots for a 2:1 page
        #expect(lines.allSatisfy { $0.unicodeScalars.count == 40 })
        #expect(lines.joined().unicodeScalars.contains { $0.value > 0x2800 && $0.value <= 0x28FF })
        let sixel = FigurePreview.sixel(image, maxWidth: 100)
        #expect(sixel.hasPrefix("\u{1B}P") && sixel.hasSuffix("\u{1B}\\"))
        let kitty = FigurePreview.kitty(png: Data(repeating: 7, count: 10_000), columns: 60)
        #expect(kitty.hasPrefix("\u{1B}_Gf=100,a=T,c=60,m=1;"))
        #expect(kitty.components(separatedBy: "\u{1B}_G").count == 5) // 13,336 base64 bytes → 4 chunks
    }
}
