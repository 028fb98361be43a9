import Foundation
import Testing

@testable import Script

/// Runs every script in Scripts/ and compares what it prints and the errors it
/// raises with the expectations written beside its lines:
///
///     print(1 + 2)            # => 3
///     # => a second line printed by the statement above
///     x = huen(grid)          # error: 1:5 unknown name 'huen'; did you mean 'heun'?
///
/// The file runs as a REPL would: one cell per top-level statement (a line that
/// starts in column 1; indented lines, and lines starting with `}`, `)`, `]` or
/// `else`, continue the cell). A failed cell reports its errors and the next cell
/// runs. A first line `#! whole` runs the file as one cell (to test that the
/// parser reports several mistakes in one run); `#! steps N` sets a step budget
/// and `#! elements N` the size limit.
struct ScriptFile {
    let name: String
    let source: String

    /// One thing a run emits: a printed line, or an error.
    enum Event: Equatable, CustomStringConvertible {
        case output(String)
        case error(line: Int, column: Int, text: String)

        var description: String {
            switch self {
            case .output(let s): return "=> \(s)"
            case .error(let l, let c, let t): return "error: \(l):\(c) \(t)"
            }
        }
    }

    var expected: [Event] {
        var out: [Event] = []
        for (i, line) in source.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if let r = line.range(of: "# =>", options: .backwards) {
                out.append(
                    .output(String(line[r.upperBound...].dropFirst(line[r.upperBound...].hasPrefix(" ") ? 1 : 0))))
            } else if let r = line.range(of: "# error:", options: .backwards) {
                let rest = line[r.upperBound...].trimmingCharacters(in: .whitespaces)
                let parts = rest.split(separator: " ", maxSplits: 1)
                let pos = parts.first.map { $0.split(separator: ":") } ?? []
                let l = pos.count == 2 ? Int(pos[0]) ?? -1 : -1
                let c = pos.count == 2 ? Int(pos[1]) ?? -1 : -1
                out.append(.error(line: l == 0 ? i + 1 : l, column: c, text: parts.count > 1 ? String(parts[1]) : ""))
            }
        }
        return out
    }

    /// Cells: (first line number, text).
    var cells: [(Int, String)] {
        let lines = source.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.first?.hasPrefix("#! whole") == true { return [(1, source)] }
        var cells: [(Int, [String])] = []
        for (i, line) in lines.enumerated() {
            let continues =
                line.isEmpty || line.first!.isWhitespace || line.hasPrefix("#")
                || ["}", ")", "]", "else"].contains { line.hasPrefix($0) }
            if continues, !cells.isEmpty {
                cells[cells.count - 1].1.append(line)
            } else {
                cells.append((i + 1, [line]))
            }
        }
        return cells.map { ($0.0, $0.1.joined(separator: "\n")) }
    }

    /// The number after a `#! key N` directive in the first lines.
    func directive(_ key: String) -> Int? {
        for line in source.split(separator: "\n").prefix(3) where line.hasPrefix("#! \(key) ") {
            return Int(line.dropFirst("#! \(key) ".count).trimmingCharacters(in: .whitespaces))
        }
        return nil
    }

    /// Runs the file; returns the events and every rendered error (for the caret check).
    func run() -> (events: [Event], rendered: [String]) {
        let interpreter = Interpreter()
        FakeDomain.register(in: interpreter.registry)
        interpreter.limits.maxSteps = directive("steps")
        if let n = directive("elements") { interpreter.limits.maxElements = n }
        var events: [Event] = []
        var rendered: [String] = []
        interpreter.output = { events.append(.output($0)) }
        for (first, text) in cells {
            let padded = String(repeating: "\n", count: first - 1) + text
            let result = interpreter.run(padded)
            for e in result.errors {
                events.append(.error(line: e.span?.line ?? 0, column: e.span?.column ?? 0, text: e.message))
                rendered.append(render(e, source: padded))
            }
        }
        return (events, rendered)
    }

    static func all() -> [ScriptFile] {
        guard let dir = Bundle.module.url(forResource: "Scripts", withExtension: nil),
            let names = try? FileManager.default.contentsOfDirectory(atPath: dir.path)
        else { return [] }
        return names.filter { $0.hasSuffix(".cml") }.sorted().compactMap { name in
            guard let text = try? String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8) else {
                return nil
            }
            return ScriptFile(name: name, source: text)
        }
    }
}

/// Whether an actual event satisfies an expected one (errors match by position and message substring).
func matches(_ actual: ScriptFile.Event, _ expected: ScriptFile.Event) -> Bool {
    switch (actual, expected) {
    case (.output(let a), .output(let e)): return a == e
    case (.error(let l, let c, let t), .error(let el, let ec, let et)):
        return l == el && c == ec && t.contains(et)
    default: return false
    }
}

/// Runs `body` on a thread with an 8 MB stack, the main thread's size, so the
/// depth limits are tested under the stack the REPL has.
final class Box<T>: @unchecked Sendable { var value: T? }

func onLargeStack<T>(stackSize: Int = 8 << 20, _ body: @escaping () -> T) -> T {
    let box = Box<T>()
    let done = DispatchSemaphore(value: 0)
    let thread = Thread {
        box.value = body(); done.signal()
    }
    thread.stackSize = stackSize
    thread.start()
    done.wait()
    return box.value!
}

@Suite struct ScriptFileTests {
    @Test func thereAreEnoughScripts() {
        let files = ScriptFile.all()
        #expect(files.count >= 60)
        let mistakes = files.filter {
            $0.expected.contains { if case .error = $0 { return true } else { return false } }
        }
        #expect(mistakes.count >= 30)
    }

    @Test(arguments: ScriptFile.all().map(\.name))
    func script(_ name: String) throws {
        let file = try #require(ScriptFile.all().first { $0.name == name })
        let (actual, rendered) = onLargeStack { file.run() }
        let expected = file.expected
        let ok = actual.count == expected.count && zip(actual, expected).allSatisfy { matches($0, $1) }
        #expect(
            ok,
            "\(name)\nexpected:\n\(expected.map(\.description).joined(separator: "\n"))\nactual:\n\(actual.map(\.description).joined(separator: "\n"))\nrendered:\n\(rendered.joined(separator: "\n"))"
        )
        for r in rendered {
            let lines = r.split(separator: "\n", omittingEmptySubsequences: false)
            #expect(lines.count == 3 && lines[2].contains("^"), "error without a caret line:\n\(r)")
        }
    }
}
