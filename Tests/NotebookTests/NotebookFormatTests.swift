import Notebook
import Testing

@Suite("Percent format")
struct NotebookFormatTests {
    let text = """
        # %% [markdown]
        # # Title
        #
        # Some *prose*.

        # %% tags=["parameters"]
        iters = 100
        name = "ring"

        # %% Train
        x = "# %% inside a string is code"
        print(x)

        # %%
        y = 2

        """

    @Test func parsesCellsKindsTagsAndTitles() {
        let nb = PercentFormat.parse(text)
        #expect(nb.cells.count == 4)
        #expect(nb.cells[0].kind == .markdown)
        #expect(nb.cells[0].source == "# Title\n\nSome *prose*.")
        #expect(nb.cells[1].isParameters)
        #expect(nb.cells[1].source == "iters = 100\nname = \"ring\"")
        #expect(nb.cells[2].title == "Train")
        #expect(nb.cells[2].source.contains("# %% inside a string"))
        #expect(nb.cells[3].source == "y = 2")
        #expect(nb.cells[1].firstLine == 7)
        #expect(nb.cells[2].firstLine == 11)
    }

    @Test func roundTripsTextAndStructure() {
        let nb = PercentFormat.parse(text)
        #expect(PercentFormat.render(nb) == text)
        var again = PercentFormat.parse(PercentFormat.render(nb))
        for i in again.cells.indices { again.cells[i].firstLine = nb.cells[i].firstLine }
        #expect(again == nb)
    }

    @Test func codeBeforeTheFirstMarkerAndJupytextHeader() {
        let src = "# ---\n# jupyter:\n#   kernelspec:\n#     name: cmlab\n# ---\n\nx = 1\n\n#%% [md]\n# hi\n"
        let nb = PercentFormat.parse(src)
        #expect(nb.header.count == 5)
        #expect(nb.cells.count == 2)
        #expect(nb.cells[0].hasMarker == false && nb.cells[0].source == "x = 1")
        #expect(nb.cells[1].kind == .markdown && nb.cells[1].source == "hi")
        #expect(PercentFormat.parse(PercentFormat.render(nb)).cells.map(\.source) == ["x = 1", "hi"])
    }

    @Test func aLineMerelyContainingTheMarkerIsNotACell() {
        let nb = PercentFormat.parse("# %%\nx = 1  # %% trailing\n# %%% not a marker\ny = 2\n")
        #expect(nb.cells.count == 1)
        #expect(nb.cells[0].source == "x = 1  # %% trailing\n# %%% not a marker\ny = 2")
    }
}
