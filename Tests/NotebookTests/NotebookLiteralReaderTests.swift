import Foundation
import Notebook
import Script
import Testing

/// `-p` values are read as one literal and written out again (issue 14, item 10).
@Suite("Literal reader")
struct NotebookLiteralReaderTests {
    @Test func readsEachKindOfLiteral() throws {
        #expect(try LiteralReader.read("3") == .number(3, text: "3"))
        #expect(try LiteralReader.read("-1e-3") == .number(-0.001, text: "-1e-3"))
        #expect(try LiteralReader.read("none") == Literal.none)
        #expect(try LiteralReader.read("false") == .bool(false))
        #expect(try LiteralReader.read("'a b'") == .string("a b"))
        #expect(try LiteralReader.read("[1, [2, x], {}]").source == "[1, [2, \"x\"], {}]")
        #expect(
            try LiteralReader.read("{lr: 1e-3, name: \"ring\", steps: [1, 2]}").source
                == "{lr: 1e-3, name: \"ring\", steps: [1, 2]}")
        #expect(try LiteralReader.read("0..4").source == "[0, 1, 2, 3, 4]")
        #expect(try LiteralReader.read("-2..-1").source == "[-2, -1]")
        #expect(try LiteralReader.read("[0..2, 7]").source == "[0, 1, 2, 7]")
    }

    /// What the language itself makes of the written-out value equals what was meant.
    @Test func writtenSourceEvaluatesToTheSameValue() throws {
        for text in ["[1, 2.5, \"q\\\"uote\", [true, none]]", "{a: {b: [1]}, \"odd key\": -3}", "\"line\\nbreak\""] {
            let literal = try LiteralReader.read(text)
            let interpreter = Interpreter()
            let value = interpreter.run("v = \(literal.source)\nv").value
            #expect(value != nil && value?.repr == interpreter.run(text).value?.repr)
        }
    }

    /// The reproducer: a value that starts and ends with a quote was pasted in verbatim.
    @Test func quotedCodeIsRefusedNotRun() throws {
        let nb = PercentFormat.parse("# %% tags=[\"parameters\"]\nname = \"x\"\n\n# %%\nprint(name)\n")
        for value in [
            "\"a\" ; print(\"INJECTED\", 1+1) ; b=\"b\"", "\"a\"\nprint(\"INJECTED\")", "[1] + [print(2)]",
            "{a: print(1)}", "'a' + 'b'",
        ] {
            #expect(throws: NotebookError.self) { try Parameters.apply([("name", value)], to: nb) }
        }
        do { _ = try Parameters.apply([("name", "\"a\" ; print(1)")], to: nb) } catch {
            #expect("\(error)".hasPrefix("-p name=\"a\" ; print(1): column 5: expected one value, found ';'"))
        }
    }

    /// Text that is not a literal and does not start like one is a string, never code.
    @Test func plainTextBecomesAString() throws {
        let nb = PercentFormat.parse("# %% tags=[\"parameters\"]\nname = \"x\"\n")
        let out = try Parameters.apply([("name", "a ; print(\"INJECTED\")\nb = 1")], to: nb)
        #expect(out.cells[0].source == "name = \"a ; print(\\\"INJECTED\\\")\\nb = 1\"")
        let interpreter = Interpreter()
        #expect(interpreter.run(out.cells[0].source + "\nname").value?.description == "a ; print(\"INJECTED\")\nb = 1")
        #expect(try LiteralReader.read("1+1") == .string("1+1"))
        #expect(try LiteralReader.read("moons") == .string("moons"))
    }

    @Test func badRangesAndHugeRangesAreErrors() {
        #expect(throws: LiteralReader.Failure.self) { try LiteralReader.readValues("4..0") }
        #expect(throws: LiteralReader.Failure.self) { try LiteralReader.readValues("0.5..2") }
        #expect(throws: LiteralReader.Failure.self) { try LiteralReader.readValues("0..1e12") }
        #expect(throws: LiteralReader.Failure.self) { try LiteralReader.read("[0..1e12]") }
    }

    @Test func sweepValuesSplitAtTopLevelCommasAndExpandRanges() throws {
        #expect(try LiteralReader.readValues("0, 0.95").map(\.source) == ["0", "0.95"])
        #expect(try LiteralReader.readValues("0..2,9").map(\.source) == ["0", "1", "2", "9"])
        #expect(try LiteralReader.readValues("[1,2],[4]").map(\.source) == ["[1, 2]", "[4]"])
        #expect(try LiteralReader.readValues("cm,\"a,b\"").map(\.label) == ["cm", "a,b"])
        #expect(throws: LiteralReader.Failure.self) { try LiteralReader.readValues("1,") }
        #expect(throws: LiteralReader.Failure.self) { try LiteralReader.readValues("1 2") }
        #expect(throws: LiteralReader.Failure.self) { try LiteralReader.readValues("") }
    }
}
