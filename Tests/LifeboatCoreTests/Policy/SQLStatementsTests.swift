import LifeboatCore
import Testing

@Suite("SQLStatements and CommandWords")
struct SQLStatementsTests {
    @Test("splits at top-level semicolons only")
    func split() {
        let text = """
            -- orders must exist; really
            SELECT count(*) > 0 FROM orders;
            SELECT 'a;b' = 'a;b' ;  /* a; comment */
            SELECT "weird;name" IS NULL FROM t;
            SELECT $$x;y$$ = 'x;y'; SELECT $tag$ ; $ $tag$ <> ''
            ;;
            -- trailing comment only
            """
        #expect(SQLStatements.split(text) == [
            "SELECT count(*) > 0 FROM orders",
            "SELECT 'a;b' = 'a;b'",
            "SELECT \"weird;name\" IS NULL FROM t",
            "SELECT $$x;y$$ = 'x;y'",
            "SELECT $tag$ ; $ $tag$ <> ''",
        ])
    }

    @Test("escaped quotes, positional parameters and an unterminated last statement")
    func edgeCases() {
        #expect(SQLStatements.split("SELECT 'it''s; fine' <> ''") == ["SELECT 'it''s; fine' <> ''"])
        #expect(SQLStatements.split("SELECT $1; SELECT 2") == ["SELECT $1", "SELECT 2"])
        #expect(SQLStatements.split("  \n -- nothing\n ; ").isEmpty)
    }

    @Test("command words: blanks separate, quotes group, backslash escapes")
    func words() throws {
        #expect(try CommandWords.split("/usr/bin/notify --to ops") == ["/usr/bin/notify", "--to", "ops"])
        #expect(try CommandWords.split("  '/opt/my tools/page'  \"a \\\"b\\\"\" c\\ d ''") == ["/opt/my tools/page", "a \"b\"", "c d", ""])
        #expect(throws: LifeboatError.self) { try CommandWords.split("notify 'open") }
        #expect(throws: LifeboatError.self) { try CommandWords.split("   ") }
    }
}
