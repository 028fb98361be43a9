import Notebook
import Script
import Testing

@Suite("REPL completion")
struct REPLCompletionTests {
    func interpreter() -> Interpreter {
        let i = Interpreter()
        i.registry.register(
            name: "train", doc: "Fake.", parameters: [.required("data"), .optional("iters"), .optional("seed")]
        ) { _ in .none }
        i.run("t = tensor([1, 2])\nfn f(alpha, beta: 2) { return alpha }")
        return i
    }

    @Test func namesMembersAndCommands() {
        let i = interpreter()
        #expect(ReplCompletion.complete("tra", before: "x = tra", interpreter: i) == ["train"])
        #expect(ReplCompletion.complete("t.sh", before: "t.sh", interpreter: i) == ["t.shape"])
        #expect(ReplCompletion.complete("sa", before: ":sa", interpreter: i) == ["save"])
    }

    @Test func argumentLabelsInsideACall() {
        let i = interpreter()
        #expect(ReplCompletion.complete("it", before: "train(d, it", interpreter: i) == ["iters: "])
        #expect(ReplCompletion.complete("s", before: "train(d,\n  s", interpreter: i).first == "seed: ")
        #expect(ReplCompletion.complete("be", before: "y = f(1, be", interpreter: i) == ["beta: "])
        // Closed call, or a bracket inside a string: no labels.
        #expect(!ReplCompletion.complete("it", before: "train(d) + it", interpreter: i).contains("iters: "))
        #expect(ReplCompletion.openCall(in: "train(\")\", ") == "train")
        #expect(ReplCompletion.openCall(in: "[1, (2") == nil)
        #expect(ReplCompletion.openCall(in: "t.reshape(") == "t.reshape")
    }
}
