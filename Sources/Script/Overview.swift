// The Script layer: a small, domain-free language (the language: docs/language.md).
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
//   interpreter.registry.register(name: "heun", doc: "…", parameters: [.optional("grid")]) { args in
//       let grid = try args.object("grid", as: GridObject.self, described: "a grid (e.g. karras(n: 40))").grid
//       return .object(SolverObject(GridSolver(.heun, grid: grid)))
//   }                                               // (Bindings' TeacherBuiltins.swift, in short)
//   let result = interpreter.run(cellSource)        // globals persist across runs
//   if result.succeeded { if let v = result.value { print("Out[\(n)]: \(v.repr)") } }
//   else { print(result.renderedErrors) }           // "error: 3:9: …", source line, caret line
//
// Domain objects conform to `ScriptObject` (ScriptObject.swift); methods are
// members whose value is a `Builtin` capturing the object.
//
// Safety: no input traps. Limits (Interpreter.limits): 200 nested user calls,
// 10^8 elements per tensor or string, 10^7 items per list, an optional step budget;
// the parser caps nesting at 64 and expression height at 1,024; values nest at most
// 100 deep; a stack guard stops evaluation before the thread's stack runs out.
// The whole language, for users: docs/language.md.
