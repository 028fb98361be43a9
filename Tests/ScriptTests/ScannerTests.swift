import Testing

@testable import Script

@Suite struct ScannerTests {
    func scan(_ s: String) -> (tokens: [Token], errors: [ScriptError]) {
        var scanner = Scanner(s)
        let t = scanner.scan()
        return (t, scanner.errors)
    }

    @Test func tokensCarryLineAndColumn() {
        let (tokens, errors) = scan("x = f(a, b: 2)\n  y.final[0] ** 2 # note\n")
        #expect(errors.isEmpty)
        let spans = tokens.map { "\($0.kind.rawValue)@\($0.line):\($0.column)" }
        #expect(
            spans == [
                "name@1:1", "=@1:3", "name@1:5", "(@1:6", "name@1:7", ",@1:8", "name@1:10", ":@1:11",
                "number@1:13", ")@1:14", "end of line@1:15",
                "name@2:3", ".@2:4", "name@2:5", "[@2:10", "number@2:11", "]@2:12", "**@2:14", "number@2:17",
                "end of line@2:18", "end of input@3:1",
            ])
    }

    @Test func numbersStringsAndKeywords() {
        let (tokens, errors) = scan(#"1e3 2.5 7 "a\"b" 'c' fn none and"#)
        #expect(errors.isEmpty)
        #expect(tokens[0].number == 1000 && tokens[1].number == 2.5 && tokens[2].number == 7)
        #expect(tokens[3].kind == .string && tokens[3].text == "a\"b" && tokens[3].span.length == 6)
        #expect(tokens[4].text == "c")
        #expect(tokens[5].kind == .kwFn && tokens[6].kind == .kwNone && tokens[7].kind == .kwAnd)
    }

    @Test func lengthsCoverTheToken() {
        let (tokens, _) = scan("heun_grid >= 10")
        #expect(tokens.map(\.span.length).prefix(3) == [9, 2, 2])
    }

    @Test func lexicalMistakesAreAllReported() {
        let (_, errors) = scan("a = 1 @ 2\nb = \"open\nc = $")
        #expect(
            errors.map(\.description) == [
                "1:7: unexpected character '@'",
                "2:5: unterminated string; add a closing \"",
                "3:5: unexpected character '$'",
            ])
    }

    @Test func unicodeColumnsCountCharacters() {
        let (tokens, _) = scan("σ = \"μ∑\" + x")
        #expect(tokens[0].text == "σ" && tokens[4].column == 12)
    }
}
