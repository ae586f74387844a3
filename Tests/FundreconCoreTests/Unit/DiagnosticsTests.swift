import Testing
@testable import FundreconCore

/// How the github format names files: relative to the workspace, as annotations need.
@Suite struct WorkspaceRelativePaths {
    @Test func pathsInsideTheWorkspaceAreRelativeAndOthersWhole() {
        let paths = WorkspacePaths(workingDirectory: "/repo/sub", workspace: "/repo")
        #expect(paths.shown("uploads/transfers.csv") == "sub/uploads/transfers.csv")
        #expect(paths.shown("../data/./plan.csv") == "data/plan.csv")
        #expect(paths.shown("/repo/x.csv") == "x.csv")
        #expect(paths.shown("/elsewhere/x.csv") == "/elsewhere/x.csv")
        #expect(paths.shown("/repository/x.csv") == "/repository/x.csv")  // a longer name is not inside
        let here = WorkspacePaths(workingDirectory: "/repo//", workspace: nil)
        #expect(here.shown("a.csv") == "a.csv")
    }
}

/// What a run prints of many findings: a bounded number, the most severe first.
@Suite struct ConsoleSelection {
    static func finding(_ code: RuleCode, _ line: Int) -> Finding {
        Finding(code, Message(zh: "x", en: "x"), at: SourceRef(file: "t.csv", line: line))
    }

    @Test func theFirstFindingsBySeverityAndTheCountOfTheRest() {
        let findings = [Self.finding(.IN010, 1), Self.finding(.IN005, 2), Self.finding(.FL006, 3), Self.finding(.IN005, 4),
                        Self.finding(.IN010, 5)]
        let (shown, more) = Diagnostics.consoleSelection(findings, limit: 3)
        #expect(shown.map { $0.primary.line } == [2, 4, 3])
        #expect(more == 2)
        let (all, none) = Diagnostics.consoleSelection(findings, limit: 5)
        #expect(all.map { $0.primary.line } == [1, 2, 3, 4, 5] && none == 0)  // all of them: in report order
    }
}
