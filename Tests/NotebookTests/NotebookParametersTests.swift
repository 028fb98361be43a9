import Notebook
import Testing

@Suite("Notebook parameters")
struct NotebookParametersTests {
    let nb = PercentFormat.parse(
        """
        # %% tags=["parameters"]
        iters = 100   # training length
        lr = 1e-3
        name = "ring"
        grid = [1, (2 + 3), 4]
        flag = false

        # %%
        print(iters)
        """)

    @Test func literalsReadAsNumberBoolOrString() throws {
        #expect(try Parameters.literal("3") == "3")
        #expect(try Parameters.literal("1e-4") == "1e-4")
        #expect(try Parameters.literal("true") == "true")
        #expect(try Parameters.literal("moons") == "\"moons\"")
        #expect(try Parameters.literal("say \"hi\"") == "\"say \\\"hi\\\"\"")
        #expect(try Parameters.literal("'quoted'") == "\"quoted\"")
        #expect(try Parameters.literal("-2.5") == "-2.5")
        #expect(try Parameters.literal("0x10") == "\"0x10\"")
        #expect(try Parameters.literal("inf") == "\"inf\"")
    }

    @Test func overridesReplaceTheRightHandSideAndKeepComments() throws {
        let out = try Parameters.apply([("iters", "5000"), ("name", "moons"), ("grid", "7"), ("flag", "true")], to: nb)
        #expect(
            out.cells[0].source == """
                iters = 5000   # training length
                lr = 1e-3
                name = "moons"
                grid = 7
                flag = true
                """)
        #expect(out.cells[1] == nb.cells[1])
    }

    @Test func unknownNameListsTheKnownOnes() {
        #expect(throws: NotebookError.self) { try Parameters.apply([("itres", "1")], to: nb) }
        do { _ = try Parameters.apply([("itres", "1")], to: nb) } catch {
            #expect("\(error)" == "unknown parameter 'itres'; the parameters cell sets: flag, grid, iters, lr, name")
        }
    }

    @Test func noParametersCellIsAnError() {
        let plain = PercentFormat.parse("# %%\nx = 1\n")
        #expect(throws: NotebookError.self) { try Parameters.apply([("x", "2")], to: plain) }
        #expect((try? Parameters.apply([], to: plain)) == plain)
    }

    @Test func parseOverrideSplitsAtTheFirstEquals() throws {
        let (n, v) = try Parameters.parseOverride("expr=a=b")
        #expect(n == "expr" && v == "a=b")
        #expect(throws: NotebookError.self) { try Parameters.parseOverride("novalue") }
    }
}

@Suite struct NotebookListParameterTests {
    @Test func flatListsStayLists() throws {
        #expect(try Parameters.literal("[0, 1, 2]") == "[0, 1, 2]")
        #expect(try Parameters.literal("[0.5,true]") == "[0.5, true]")
        #expect(try Parameters.literal("[]") == "[]")
        #expect(try Parameters.literal("[a, 1]") == "[\"a\", 1]")
    }
}
