// The Script layer: a small, domain-free language (see DESIGN.md, "The language").
//
// Pipeline, one file each, as in Crafting Interpreters:
//   Scanner.swift   source → [Token] (line, column, length on every token)
//   Parser.swift    [Token] → [Stmt] (AST.swift), recovering at statement boundaries
//   Interpreter*.swift  evaluates statements against lexical Environments
//   ScriptError.swift   the one error type and `render(_:source:)`
//
// Using it (REPL, notebooks, Bindings):
//
//   let interpreter = Interpreter()                 // core builtins registered
//   interpreter.output = { line in print(line) }    // where `print`/`help` write
//   interpreter.isCancelled = { sigintFlag.load() } // polled per loop iteration and call
//   interpreter.registry.register(name: "heun", doc: "…", parameters: [.required("grid")]) { args in
//       .object(HeunSolver(grid: try args.object("grid", as: Grid.self, described: "a grid")))
//   }
//   let result = interpreter.run(cellSource)        // globals persist across runs
//   if result.succeeded { if let v = result.value { print("Out[\(n)]: \(v.repr)") } }
//   else { print(result.renderedErrors) }           // "error: 3:9: …", source line, caret line
//
// Domain objects conform to `ScriptObject` (ScriptObject.swift); methods are
// members whose value is a `Builtin` capturing the object.
//
// Safety: no input traps. Limits (Interpreter.limits): 200 nested user calls,
// 10^8 elements per tensor/list/string, an optional step budget; the parser caps
// nesting at 64 and expression height at 256; values nest at most 100 deep; a
// stack guard stops evaluation before the thread's stack runs out.
